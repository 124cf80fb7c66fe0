import { beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../../../shared/contracts/schemas/invoice.js';
import { formatMoney } from '../../../shared/core/domain/money.js';
import { buildInvoiceEmail } from '../../../shared/documents/email/invoice.js';
import { EmailError, validateEmailAddress } from '../../../shared/documents/email/mime.js';
import { renderInvoicePdf } from '../../../shared/documents/pdf/invoice.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { streamOf, threeOrders } from '../../builders/orders.js';
import { type MimePart, parseMime } from './mime.js';
import { bytesOf, plain, readPdf } from './pdf-reader.js';

const orders = threeOrders();
const figures = invoiceFigures(orders);
const FROM = 'Marketplace <factures@marketplace.example>';
const DATE = new Date('2026-12-01T08:00:00.000Z');

let pdf: Buffer;
beforeAll(async () => {
  pdf = await bytesOf(renderInvoicePdf(anInvoice(figures), streamOf(orders)));
});

async function emailOf(invoice: Invoice, options: { from?: string; replyTo?: string } = {}) {
  const raw = (await buildInvoiceEmail(invoice, pdf, { from: FROM, date: DATE, ...options })).toString(
    'utf8',
  );
  return { raw, message: parseMime(raw) };
}

/** The text/plain, text/html and attachment parts of multipart/mixed(alternative(text, html), pdf). */
function partsOf(message: MimePart) {
  const [alternative, attachment] = message.parts;
  const [text, html] = alternative?.parts ?? [];
  if (!alternative || !attachment || !text || !html) throw new Error('unexpected MIME structure');
  return { alternative, attachment, text, html };
}

describe('buildInvoiceEmail', () => {
  it('is multipart/mixed holding text and HTML alternatives and the PDF, byte for byte', async () => {
    const { raw, message } = await emailOf(anInvoice(figures));
    expect(raw).toContain('\r\n');
    expect(message.headers.get('mime-version')).toBe('1.0');
    expect(message.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    const { alternative, attachment, text, html } = partsOf(message);
    expect(message.parts).toHaveLength(2);
    expect(alternative.headers.get('content-type')).toMatch(/^multipart\/alternative; boundary=/);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(attachment.headers.get('content-type')).toBe('application/pdf; name=facture-2026-000123.pdf');
    expect(attachment.headers.get('content-disposition')).toBe(
      'attachment; filename=facture-2026-000123.pdf',
    );
    expect(attachment.headers.get('content-transfer-encoding')).toBe('base64');
    expect(attachment.body.equals(pdf)).toBe(true);
  });

  it('goes to every billing email with a subject giving number, issuer, amount and due date', async () => {
    const { message } = await emailOf(anInvoice(figures));
    expect(message.headers.get('to')).toBe(
      'compta@boulangeries-martin.example, direction@boulangeries-martin.example',
    );
    expect(message.headers.get('from')).toBe(FROM);
    expect(message.headers.get('reply-to')).toBe('facturation@marketplace.example');
    expect(message.headers.get('subject')).toBe(
      `Facture 2026-000123 — Marketplace SAS — ${formatMoney(1_502_029, 'EUR', 'fr')} à régler au plus tard le 15/01/2027`,
    );
    expect(message.headers.get('date')).toBe('Tue, 01 Dec 2026 08:00:00 +0000');
    expect(message.headers.get('x-invoice-number')).toBe('2026-000123');
  });

  it('states the amount due, due date, period and bank details in both bodies, as on the PDF', async () => {
    const { message } = await emailOf(anInvoice(figures));
    const { text, html } = partsOf(message);
    const amount = formatMoney(1_502_029, 'EUR', 'fr');
    const plainText = text.body.toString('utf8');
    const htmlText = html.body.toString('utf8');
    for (const body of [plainText, htmlText]) {
      expect(body).toContain(amount);
      expect(body).toContain('15/01/2027');
      expect(body).toContain('du 01/11/2026 au 30/11/2026');
      expect(body).toContain('FR76 3000 6000 0112 3456 7890 189');
      expect(body).toContain('AGRIFRPPXXX');
      expect(body).toContain('2026-000123');
    }
    expect(plainText).toContain(`Montant à régler\u00a0: ${amount}`);
    expect(plainText).toContain("Date d'échéance\u00a0: 15/01/2027");
    expect(htmlText).toContain('<html lang="fr-FR">');
    const printed = (await readPdf(pdf)).text;
    expect(printed).toContain(`Net à payer | ${plain(amount)}`);
    expect(printed).toContain("Date d'échéance | 15/01/2027");
  });

  it('speaks English to an English account', async () => {
    const { message } = await emailOf(anInvoice(figures, { language: 'en' }));
    const { attachment, text, html } = partsOf(message);
    expect(message.headers.get('subject')).toBe(
      'Invoice 2026-000123 — Marketplace SAS — €15,020.29 due by 15 Jan 2027',
    );
    expect(attachment.headers.get('content-disposition')).toBe(
      'attachment; filename=invoice-2026-000123.pdf',
    );
    for (const body of [text.body.toString('utf8'), html.body.toString('utf8')]) {
      expect(body).toContain('€15,020.29');
      expect(body).toContain('15 Jan 2027');
      expect(body).toContain('1 Nov 2026 to 30 Nov 2026');
      expect(body).toContain('Payment by bank transfer');
    }
  });

  it('carries the same Message-ID every time the invoice is built, on the sender’s domain', async () => {
    const invoice = anInvoice(figures);
    const first = await emailOf(invoice);
    const second = await emailOf(invoice);
    expect(first.message.headers.get('message-id')).toBe(
      '<inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T.2026-000123@marketplace.example>',
    );
    expect(second.message.headers.get('message-id')).toBe(first.message.headers.get('message-id'));
  });

  it('escapes names in the HTML body', async () => {
    const base = anInvoice(figures);
    const invoice = anInvoice(figures, {
      issuer: { ...base.issuer, legalName: 'Dupont & <Fils> "SA"' },
    });
    const { message } = await emailOf(invoice);
    const { text, html } = partsOf(message);
    const htmlText = html.body.toString('utf8');
    expect(htmlText).toContain('Dupont &amp; &lt;Fils&gt; &quot;SA&quot;');
    expect(htmlText).not.toContain('<Fils>');
    expect(text.body.toString('utf8')).toContain('Dupont & <Fils> "SA"');
  });

  it('says where to ask for bank details when no IBAN is configured', async () => {
    const base = anInvoice(figures);
    const { message } = await emailOf(anInvoice(figures, { issuer: { ...base.issuer, iban: undefined } }));
    const { text } = partsOf(message);
    expect(text.body.toString('utf8')).toContain(
      'Coordonnées bancaires sur demande à facturation@marketplace.example',
    );
    expect(text.body.toString('utf8')).not.toContain('IBAN');
  });

  it('refuses a draft, missing or invalid recipients and an invalid sender', async () => {
    const base = anInvoice(figures);
    await expect(emailOf(anInvoice(figures, { number: undefined }))).rejects.toBeInstanceOf(EmailError);
    await expect(
      emailOf(anInvoice(figures, { buyer: { ...base.buyer, billingEmails: [] } })),
    ).rejects.toThrow(/no billing email/);
    await expect(
      emailOf(
        anInvoice(figures, { buyer: { ...base.buyer, billingEmails: ['ok@example.com', 'not an address'] } }),
      ),
    ).rejects.toThrow(/invalid billing email\(s\) not an address/);
    await expect(emailOf(base, { from: 'nobody' })).rejects.toThrow(/invalid sender/);
  });
});

describe('validateEmailAddress', () => {
  it.each([
    'compta@boulangeries-martin.example',
    'a@b.co',
    'first.last+invoices@sub.example.fr',
    "o'neil@example.com",
    'x_y-z@xn--bcher-kva.example',
    'factures@xn--bcher-kva.xn--p1ai',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (address) => {
    expect(validateEmailAddress(address)).toBe(true);
  });

  it.each([
    '',
    'plainaddress',
    '@example.com',
    'user@',
    'user@localhost',
    'user@example',
    'user@example.c',
    'user@example.123',
    'user@-example.com',
    'user@example-.com',
    'user@exa_mple.com',
    'user@example..com',
    '.user@example.com',
    'user.@example.com',
    'us..er@example.com',
    'user name@example.com',
    'user@example.com ',
    ' user@example.com',
    'user@@example.com',
    'a@b@example.com',
    '"quoted"@example.com',
    'user@[192.168.0.1]',
    'Name <user@example.com>',
    'user@example.com,other@example.com',
    'usér@example.com',
    'user@exämple.com',
    'user@example.com\r\nBcc: victim@example.com',
    `${'a'.repeat(65)}@example.com`,
    `user@${'a'.repeat(64)}.com`,
    `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('refuses %j', (address) => {
    expect(validateEmailAddress(address)).toBe(false);
  });
});
