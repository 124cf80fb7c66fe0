import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../../shared/contracts/schemas/invoice.js';
import { buildCreditNoteEmail } from '../../../shared/documents/email/credit-note.js';
import { buildInvoiceEmail } from '../../../shared/documents/email/invoice.js';
import { EmailError } from '../../../shared/documents/email/mime.js';
import { buildReminderEmail } from '../../../shared/documents/email/reminder.js';
import { aCreditNote } from '../../builders/credit-notes.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { threeOrders } from '../../builders/orders.js';
import { type MimePart, parseMime } from './mime.js';

const invoice = anInvoice(invoiceFigures(threeOrders()));
const creditNote = aCreditNote(invoice);
const FROM = 'factures@marketplace.example';
const pdf = Buffer.from('%PDF-1.7 stand-in');

/** The three emails a buyer may receive about one invoice, built from the same invoice. */
const emails: Record<string, (of: Invoice, from?: string) => Promise<Buffer>> = {
  invoice: (of, from = FROM) => buildInvoiceEmail(of, pdf, { from }),
  'credit note': (of, from = FROM) => buildCreditNoteEmail(creditNote, of, pdf, { from }),
  reminder: (of, from = FROM) =>
    buildReminderEmail({ ...of, balanceMinor: 12_345 }, { step: 15, daysOverdue: 16, from }),
};

/** The text/plain and text/html parts, wherever they sit in the message. */
function bodiesOf(message: MimePart): { text: string; html: string } {
  const leaves = (part: MimePart): MimePart[] => (part.parts.length ? part.parts.flatMap(leaves) : [part]);
  const body = (type: string) =>
    leaves(message)
      .find((part) => part.headers.get('content-type')?.startsWith(type))
      ?.body.toString('utf8') ?? '';
  return { text: body('text/plain'), html: body('text/html') };
}

describe.each(Object.keys(emails))('the %s email', (name) => {
  const build = emails[name] as (typeof emails)[string];

  it('has text and HTML bodies saying the same thing in the invoice’s language, names escaped', async () => {
    const base = anInvoice(invoiceFigures(threeOrders()), { language: 'en' });
    const named = { ...base, issuer: { ...base.issuer, legalName: 'Dupont & <Fils> "SA"' } };
    const message = parseMime((await build(named)).toString('utf8'));
    expect(message.headers.get('content-language')).toBe('en-GB');
    const { text, html } = bodiesOf(message);
    expect(text).toMatch(/^Hello,\n/);
    expect(text).toContain('Dupont & <Fils> "SA"');
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toContain('<p>Hello,</p>');
    expect(html).toContain('Dupont &amp; &lt;Fils&gt; &quot;SA&quot;');
    expect(html).not.toContain('<Fils>');
  });

  it('carries the same Message-ID every time it is built, on the sender’s domain', async () => {
    const first = parseMime((await build(invoice)).toString('utf8')).headers.get('message-id');
    const second = parseMime((await build(invoice)).toString('utf8')).headers.get('message-id');
    expect(first).toMatch(/^<(inv|cn)_\w+\.[\w-]+@marketplace\.example>$/);
    expect(second).toBe(first);
  });

  it('refuses a buyer without billing email, an invalid one and an invalid sender, saying which', async () => {
    const buyer = invoice.buyer;
    await expect(build({ ...invoice, buyer: { ...buyer, billingEmails: [] } })).rejects.toThrow(
      /has no billing email/,
    );
    await expect(
      build({ ...invoice, buyer: { ...buyer, billingEmails: ['ok@example.com', 'not an address'] } }),
    ).rejects.toThrow(/invalid billing email\(s\) not an address/);
    await expect(build(invoice, 'nobody')).rejects.toBeInstanceOf(EmailError);
  });
});

describe('the reminder email', () => {
  it('names the invoice, the balance, the due date and the step', async () => {
    const message = parseMime((await emails.reminder?.(invoice))?.toString('utf8') ?? '');
    expect(message.headers.get('subject')).toBe('Relance : facture 2026-000123 échue depuis 16 jour(s)');
    expect(message.headers.get('x-invoice-number')).toBe('2026-000123');
    expect(message.headers.get('x-reminder-step')).toBe('15');
    expect(message.headers.get('message-id')).toBe(
      '<inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T.reminder-15@marketplace.example>',
    );
    for (const body of Object.values(bodiesOf(message))) {
      expect(body).toContain('la facture 2026-000123 échue le 15/01/2027 reste impayée : 123,45\u00a0€.');
    }
  });
});
