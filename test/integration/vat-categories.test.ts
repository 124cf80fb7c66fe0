import { randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { creditNoteDeps } from '../../shared/composition/root.js';
import { DEFAULT_VAT_CATEGORIES, loadConfig } from '../../shared/config/app.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { issueCreditNote } from '../../shared/core/usecases/credit-notes.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { writeCii } from '../../shared/documents/einvoice/cii.js';
import { creditNoteDocument, invoiceDocument } from '../../shared/documents/einvoice/mapping.js';
import type { EInvoiceDocument } from '../../shared/documents/einvoice/model.js';
import { writeUbl } from '../../shared/documents/einvoice/ubl.js';
import { renderCreditNotePdf } from '../../shared/documents/pdf/credit-note.js';
import { aCancellation } from '../builders/credit-notes.js';
import { aLine, anOrder, streamOf } from '../builders/orders.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { validateEInvoices, validatorMissing } from '../support/einvoice-validation.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

/*
 * An order with lines of every VAT category, billed by the run's own steps against the emulators: the
 * invoice's breakdown per category and rate, the PDF's mentions, and its e-invoices under the official rules.
 */

const missing = await validatorMissing();
if (missing && process.env.CI) throw new Error(missing);

async function xmlOf(
  write: (document: EInvoiceDocument, sink: (chunk: string) => void) => Promise<void>,
  document: EInvoiceDocument,
): Promise<string> {
  const chunks: string[] = [];
  await write(document, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

describe('VAT categories from intake to the e-invoice', () => {
  it('bills Z, E, AE and K lines per category and rate, prints their mentions, credits them per category, and validates with zero errors', async () => {
    const clock = new TestClock(new Date('2026-10-05T09:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    // A buyer in Belgium with its VAT id, its e-invoices addressed by email.
    const buyer = await givenEnrolledAccount(services, {
      siren: undefined,
      vatId: 'BE0123456749',
      billingAddress: { line1: 'Rue Haute 12', postalCode: '1000', city: 'Bruxelles', country: 'BE' },
      electronicAddress: { scheme: 'EM', id: 'factures@boulangerie.example' },
      supplyCategory: 'mixed',
    });
    const place = (lines: ReturnType<typeof aLine>[]) =>
      placeOrder(services, {
        storefrontId: buyer.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(buyer.accountId, { lines }),
      });
    await place([
      aLine({ sku: 'APRON', description: 'Tablier bleu', quantity: 2, unitPriceMinor: 1500, vatRate: 20 }),
      aLine({ sku: 'SAMPLES', description: 'Échantillons', quantity: 3, unitPriceMinor: 150, vatRate: 0 }),
      aLine({
        sku: 'TRAINING',
        description: 'Formation hygiène (organisme agréé)',
        quantity: 7,
        unitCode: 'HUR',
        unitPriceMinor: 6000,
        vatRate: 0,
        vatCategory: 'E',
      }),
    ]);
    const second = await place([
      aLine({
        sku: 'OVEN-INSTALL',
        description: 'Pose d’un four',
        unitPriceMinor: 120_000,
        vatRate: 0,
        vatCategory: 'AE',
        quantity: 1,
      }),
      aLine({
        sku: 'FLOUR',
        description: 'Farine T65',
        quantity: 250,
        unitCode: 'KGM',
        unitPriceMinor: 99,
        vatRate: 0,
        vatCategory: 'K',
      }),
      aLine({
        sku: 'BUTTER',
        description: 'Beurre AOP',
        quantity: 12.5,
        unitCode: 'KGM',
        unitPriceMinor: 1560,
        vatRate: 0,
        vatCategory: 'K',
      }),
    ]);

    clock.set('2026-11-01T00:20:00Z');
    const { invoices } = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds: [buyer.accountId] });
    const [invoice] = invoices;
    if (!invoice?.pdf) throw new Error('no invoice with its PDF');
    expect(invoice.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 3_000, vatMinor: 600 },
      { category: 'Z', vatRate: 0, baseMinor: 450, vatMinor: 0 },
      { category: 'E', vatRate: 0, baseMinor: 42_000, vatMinor: 0 },
      { category: 'AE', vatRate: 0, baseMinor: 120_000, vatMinor: 0 },
      { category: 'K', vatRate: 0, baseMinor: 24_750 + 19_500, vatMinor: 0 },
    ]);
    expect(invoice.totals).toEqual({ netMinor: 209_700, vatMinor: 600, grossMinor: 210_300 });
    expect(invoice.buyer.electronicAddress).toEqual({ scheme: 'EM', id: 'factures@boulangerie.example' });

    // The PDF stored and emailed: each category beside its rate, and the mention French law asks for.
    const pdf = await deps.documents.get(invoice.pdf.s3Key);
    const text = (
      await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true })
    ).text.replace(/[\u00a0\u202f]/g, ' ');
    expect(text).toContain('Exonération de TVA, article 261-4-4° du CGI');
    expect(text).toContain('Autoliquidation');
    expect(text).toContain('Exonération de TVA, article 262 ter I du CGI');

    // The same invoice as CII and UBL from the orders as stored, and the Factur-X PDF itself.
    const orders: Order[] = [];
    for await (const order of services.orders.acceptedInRange(buyer.accountId, {
      from: '2026-10-01',
      to: '2026-11-01',
    })) {
      orders.push(order);
    }
    const cii = await xmlOf(writeCii, invoiceDocument(invoice, streamOf(orders)));
    expect(cii).toContain('<ram:URIID schemeID="EM">factures@boulangerie.example</ram:URIID>');
    expect(cii).toContain('<ram:BilledQuantity unitCode="HUR">7</ram:BilledQuantity>');
    expect(cii).toContain(
      '<ram:CategoryCode>E</ram:CategoryCode><ram:ExemptionReasonCode>VATEX-FR-CGI261-4<',
    );

    // The second order cancelled after billing: a credit note of its AE and K lines, per category.
    const { creditNote } = await issueCreditNote(creditNoteDeps(services.base), {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: aCancellation(second.order.orderId),
    });
    expect(creditNote.vatBreakdown).toEqual([
      { category: 'AE', vatRate: 0, baseMinor: 120_000, vatMinor: 0 },
      { category: 'K', vatRate: 0, baseMinor: 44_250, vatMinor: 0 },
    ]);
    expect(creditNote.lines.map((line) => [line.vatCategory, line.unitCode])).toEqual([
      ['AE', 'C62'],
      ['K', 'KGM'],
      ['K', 'KGM'],
    ]);

    if (missing) return console.warn(`validation SKIPPED: ${missing}`);
    const verdicts = await validateEInvoices({
      'categories.cii': cii,
      'categories.ubl': await xmlOf(writeUbl, invoiceDocument(invoice, streamOf(orders))),
      'categories.facturx': pdf,
      'categories-credit.cii': await xmlOf(writeCii, creditNoteDocument(creditNote, invoice)),
      'categories-credit.ubl': await xmlOf(writeUbl, creditNoteDocument(creditNote, invoice)),
      'categories-credit.facturx': await renderCreditNotePdf(creditNote, invoice),
    });
    expect(verdicts.size).toBe(6);
    for (const [name, verdict] of verdicts) expect(verdict.errors, name).toEqual([]);
  }, 180_000);

  it('refuses an exempt (E) line while the issuer has no exemption reason, recording nothing', async () => {
    const services = givenServices(new TestClock(new Date('2026-10-05T09:00:00Z')), {
      ...loadConfig(),
      vatCategories: DEFAULT_VAT_CATEGORIES,
    });
    const buyer = await givenEnrolledAccount(services);
    const refusal = await placeOrder(services, {
      storefrontId: buyer.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(buyer.accountId, { lines: [aLine({ vatRate: 0, vatCategory: 'E' })] }),
    }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      status: 422,
      code: 'vat_category_invalid',
      errors: [{ field: 'lines.0.vatCategory', reason: expect.stringMatching(/exemption reason/) }],
    });
    const account = await services.accounts.get(buyer.accountId, { consistent: true });
    expect(account?.exposure.unbilledOrdersMinor).toBe(0);
  });
});
