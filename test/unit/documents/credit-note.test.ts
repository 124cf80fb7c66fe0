import { describe, expect, it } from 'vitest';
import type { CreditNoteLine } from '../../../shared/contracts/schemas/credit-note.js';
import { buildCreditNoteEmail } from '../../../shared/documents/email/credit-note.js';
import { renderCreditNotePdf } from '../../../shared/documents/pdf/credit-note.js';
import { aCreditNote, withLines } from '../../builders/credit-notes.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { storedOrderId, threeOrders } from '../../builders/orders.js';
import { parseMime } from './mime.js';
import { embeddedFonts, plain, readPdf } from './pdf-reader.js';

const invoice = anInvoice(invoiceFigures(threeOrders()));

const creditNote = aCreditNote(invoice);

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
      '5,5 % | 52,25 € | 2,87 €',
      "Total de l'avoir TTC | 55,12 €",
      '55,12 € viennent en déduction du solde de la facture n° 2026-000123.',
    ]) {
      expect(text).toContain(expected);
    }
    expect(
      embeddedFonts(pdf)
        .map((font) => font.name.replace(/^[A-Z]{6}\+/, ''))
        .sort(),
    ).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
  });

  it('carries the invoice’s mentions: issuer’s RCS and share capital, buyer’s legal form, orders by reference and date', async () => {
    const { pages, text } = await readPdf(
      await renderCreditNotePdf(creditNote, {
        ...invoice,
        buyer: { ...invoice.buyer, legalName: 'Boulangeries Martin', legalForm: 'SARL' },
      }),
    );
    const printed = plain(text);
    // Header and footer, as on the invoice.
    expect(printed).toContain('SAS au capital de 100 000 EUR');
    expect(printed).toContain('SIREN 912 345 675 · RCS Paris 912 345 675');
    const footer = plain((pages[0] ?? []).slice(-2).join(' '));
    expect(footer).toContain(
      'Marketplace SAS · SAS au capital de 100 000 EUR · SIREN 912 345 675 · RCS Paris 912 345 675',
    );
    // The buyer's legal form under its name.
    const rows = pages.flat().map(plain);
    expect(rows[rows.indexOf('Boulangeries Martin') + 1]).toBe('SARL');
    // Each order by the storefront's reference and its date, whole on one row; no internal id.
    expect(rows).toContain('Commande SHOP-100234 du 04/11/2026');
    expect(rows).toContain('Commande SHOP-100240 du 14/11/2026');
    expect(printed).not.toContain('ord_');
    const english = plain(
      (await readPdf(await renderCreditNotePdf(creditNote, { ...invoice, language: 'en' }))).text,
    );
    expect(english).toContain('Order SHOP-100234 of 4 Nov 2026');
  });

  it('names the order by its id, on one row, on a credit note stored before references were kept', async () => {
    const [first] = creditNote.lines;
    const {
      orderReference: _reference,
      orderDate: _date,
      ...older
    } = first as (typeof creditNote.lines)[number];
    const rows = (await readPdf(await renderCreditNotePdf(withLines(creditNote, [older]), invoice))).pages
      .flat()
      .map(plain);
    expect(rows).toContain('Commande ord_01JD3Z8Q4N5V2B7C9X0K1M2P3A');
  });

  it('prints a 40-character SKU whole on one line, as the invoice does', async () => {
    const sku = 'PALLET-EURO-1200X800-HEATTREATED-EPAL-01';
    const [first] = creditNote.lines as [CreditNoteLine];
    const rows = (
      await readPdf(await renderCreditNotePdf(withLines(creditNote, [{ ...first, sku }]), invoice))
    ).pages
      .flat()
      .map(plain);
    const at = rows.findIndex((row) => row.includes(sku));
    expect(at, rows.join('\n')).toBeGreaterThan(0);
    expect(rows[at]).toContain('| 2 | 24,90 € | 5,5 % | 49,80 €');
    expect(rows[at + 1]).toBe('Farine de blé T65, sac de 25 kg');
  });

  it('runs onto more pages with the column titles repeated and the issuer and page in every footer', async () => {
    const [first] = creditNote.lines as [CreditNoteLine];
    const lines = Array.from({ length: 60 }, (_, index) => ({
      ...first,
      orderId: storedOrderId(index),
      orderReference: `SHOP-${100300 + index}`,
    }));
    const { pages } = await readPdf(await renderCreditNotePdf(withLines(creditNote, lines), invoice));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((rows, index) => {
      const printed = plain(rows.join('\n'));
      expect(printed).toContain(`Avoir n° AV-2026-000007 · Page ${index + 1}`);
      expect(printed).toContain('Marketplace SAS · SAS au capital de 100 000 EUR · SIREN 912 345 675');
      if (index > 0) expect(rows).toContain('Référence | Désignation | Qté | PU HT | TVA | Montant HT');
    });
    const text = pages.flat().join('\n');
    for (const line of lines) expect(text).toContain(`Commande ${line.orderReference} du 04/11/2026`);
    expect(text).toContain("Total de l'avoir TTC | 3 152,34 €");
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
      'Credit note AV-2026-000007 — Marketplace SAS — €55.12 on invoice 2026-000123',
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
