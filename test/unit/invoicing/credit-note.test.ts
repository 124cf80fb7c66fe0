import { describe, expect, it } from 'vitest';
import { buildCreditNoteEmail, renderCreditNotePdf } from '../../../shared/invoicing/credit-note.js';
import type { CreditNote } from '../../../shared/schemas/credit-note.js';
import { anInvoice, invoiceFigures, threeOrders } from './fixtures.js';
import { parseMime } from './mime.js';
import { embeddedFonts, readPdf } from './pdf-reader.js';

const invoice = anInvoice(invoiceFigures(threeOrders()));

const creditNote: CreditNote = {
  creditNoteId: 'cn_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
  number: 'AV-2026-000007',
  accountId: invoice.accountId,
  invoiceId: invoice.invoiceId,
  invoiceNumber: '2026-000123',
  invoiceIssueDate: '2026-12-01',
  issueDate: '2026-12-10',
  reason: 'Retour marchandise : deux sacs abîmés',
  currency: 'EUR',
  lines: [
    {
      orderId: 'ord_01JD3Z8Q4N5V2B7C9X0K1M2P3A',
      lineNumber: 1,
      sku: 'FLOUR-T65-25KG',
      description: 'Farine de blé T65, sac de 25 kg',
      quantity: 2,
      unitPriceMinor: 2490,
      vatRate: 5.5,
      netMinor: 4980,
    },
  ],
  vatBreakdown: [{ vatRate: 5.5, baseMinor: 4980, vatMinor: 274 }],
  totals: { netMinor: 4980, vatMinor: 274, grossMinor: 5254 },
  appliedMinor: 5254,
  issuedAt: '2026-12-10T09:00:00.000Z',
};

describe('the credit note documents', () => {
  it('prints the credit note: number, the invoice it corrects, lines, VAT, total and where it goes', async () => {
    const pdf = await renderCreditNotePdf(creditNote, invoice);
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(pdf.toString('latin1')).toContain('<pdfaid:part>3</pdfaid:part>');
    const { text } = await readPdf(pdf);
    for (const expected of [
      'AVOIR',
      'n° AV-2026-000007',
      'Rectifie la facture n° 2026-000123 du 01/12/2026',
      'Motif : Retour marchandise : deux sacs abîmés',
      'FLOUR-T65-25KG | Farine de blé T65, sac de 25 kg | 2 | 24,90 € | 5,5 % | 49,80 €',
      '5,5 % | 49,80 € | 2,74 €',
      "Total de l'avoir TTC | 52,54 €",
      '52,54 € viennent en déduction du solde de la facture n° 2026-000123.',
    ]) {
      expect(text).toContain(expected);
    }
    expect(
      embeddedFonts(pdf)
        .map((font) => font.name.replace(/^[A-Z]{6}\+/, ''))
        .sort(),
    ).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
  });

  it('emails it to the buyer with the PDF attached, in the buyer’s language', async () => {
    const pdf = await renderCreditNotePdf(creditNote, { ...invoice, language: 'en' });
    const message = parseMime(
      (
        await buildCreditNoteEmail(creditNote, { ...invoice, language: 'en' }, pdf, {
          from: 'factures@marketplace.example',
        })
      ).toString('utf8'),
    );
    expect(message.headers.get('subject')).toBe(
      'Credit note AV-2026-000007 — Marketplace SAS — €52.54 on invoice 2026-000123',
    );
    expect(message.headers.get('to')).toBe(invoice.buyer.billingEmails.join(', '));
    const attachment = message.parts.find((part) =>
      part.headers.get('content-type')?.startsWith('application/pdf'),
    );
    expect(attachment?.headers.get('content-disposition')).toContain('credit-note-AV-2026-000007.pdf');
    expect(attachment?.body.equals(pdf)).toBe(true);
    expect((await readPdf(pdf)).text).toContain('CREDIT NOTE');
  });
});
