/**
 * The representative set of e-invoices (test/builders/einvoices.ts), each as CII, UBL and the Factur-X PDF
 * itself, validated in one batch with the official artefacts (schemas, CEN EN 16931 rules, Factur-X 1.09
 * EN 16931 rules): zero errors expected. Then a round trip: the `factur-x.xml` extracted from the PDF says
 * what the invoice record (the API's answer) and the PDF's own text say.
 *
 * Needs Java, Saxon-HE, xmllint and pdfdetach/pdftotext (`.ci/run` installs them); skipped, saying why,
 * where they are missing, except in CI (CI=true), where that fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { formatMoney } from '../../shared/core/domain/money.js';
import { writeCii } from '../../shared/documents/einvoice/cii.js';
import { creditNoteDocument, invoiceDocument } from '../../shared/documents/einvoice/mapping.js';
import type { EInvoiceDocument } from '../../shared/documents/einvoice/model.js';
import { writeUbl } from '../../shared/documents/einvoice/ubl.js';
import { renderCreditNotePdf } from '../../shared/documents/pdf/credit-note.js';
import { renderInvoicePdf } from '../../shared/documents/pdf/invoice.js';
import { type CreditNoteCase, type InvoiceCase, representativeEInvoices } from '../builders/einvoices.js';
import { streamOf } from '../builders/orders.js';
import {
  extractFacturX,
  type Verdict,
  validateEInvoices,
  validatorMissing,
} from '../support/einvoice-validation.js';

const missing = await validatorMissing();
// CI installs the tools (.ci/run): there, a missing one is a failure, never a silent skip.
if (missing && process.env.CI) throw new Error(missing);
if (missing) console.warn(`SKIPPED test/integration/einvoice-validation.test.ts: ${missing}`);

const cases = representativeEInvoices();

/** A case as a document whose lines stream (a fresh one per call: the lines are read once). */
function documentOf(entry: InvoiceCase | CreditNoteCase): EInvoiceDocument {
  return entry.kind === 'invoice'
    ? invoiceDocument(entry.invoice, streamOf(entry.orders))
    : creditNoteDocument(entry.creditNote, entry.invoice);
}

async function xmlOf(
  write: (document: EInvoiceDocument, sink: (chunk: string) => void) => Promise<void>,
  document: EInvoiceDocument,
): Promise<string> {
  const chunks: string[] = [];
  await write(document, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

async function pdfOf(entry: InvoiceCase | CreditNoteCase): Promise<Buffer> {
  return entry.kind === 'invoice'
    ? buffer(renderInvoicePdf(entry.invoice, streamOf(entry.orders)))
    : renderCreditNotePdf(entry.creditNote, entry.invoice);
}

describe.skipIf(missing !== undefined)('e-invoices under the official validation rules', () => {
  const pdfs = new Map<string, Buffer>();
  let verdicts: Map<string, Verdict>;

  beforeAll(async () => {
    const documents: Record<string, string | Buffer> = {};
    for (const entry of cases) {
      documents[`${entry.name}.cii`] = await xmlOf(writeCii, documentOf(entry));
      documents[`${entry.name}.ubl`] = await xmlOf(writeUbl, documentOf(entry));
      const pdf = await pdfOf(entry);
      pdfs.set(entry.name, pdf);
      documents[`${entry.name}.facturx`] = pdf;
    }
    verdicts = await validateEInvoices(documents);
  }, 300_000);

  for (const entry of cases) {
    for (const format of ['cii', 'ubl', 'facturx']) {
      it(`${entry.name} as ${format}: zero errors`, () => {
        expect(verdicts.get(`${entry.name}.${format}`)?.errors).toEqual([]);
      });
    }
  }

  it('the validator does fail a broken document (a total off by a cent, a missing seller name)', async () => {
    const [entry] = cases as [InvoiceCase];
    const cii = await xmlOf(writeCii, documentOf(entry));
    const grand = /<ram:GrandTotalAmount>([\d.]+)</.exec(cii)?.[1] as string;
    const broken = await validateEInvoices({
      'off-by-a-cent': cii.replace(
        `<ram:GrandTotalAmount>${grand}<`,
        `<ram:GrandTotalAmount>${(Number(grand) + 0.01).toFixed(2)}<`,
      ),
      'no-seller-name': cii.replace(
        /<ram:SellerTradeParty><ram:Name>[^<]*<\/ram:Name>/,
        '<ram:SellerTradeParty>',
      ),
    });
    expect(broken.get('off-by-a-cent')?.errors.join(' ')).toMatch(/BR-CO-15/);
    expect(broken.get('no-seller-name')?.errors.join(' ')).toMatch(/schema|BR-06/);
  }, 120_000);

  describe('round trip: the XML inside the PDF says what the invoice and its PDF say', () => {
    const run = promisify(execFile);

    async function pdfText(pdf: Buffer): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'pdftext-'));
      try {
        await writeFile(join(dir, 'in.pdf'), pdf);
        const { stdout } = await run('pdftotext', ['-layout', join(dir, 'in.pdf'), '-'], {
          maxBuffer: 1 << 26,
        });
        return stdout.replace(/[\u00a0\u202f]/g, ' ');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    /** The value under `keys` in xmlbuilder2's object form of a document. */
    function at(node: unknown, ...keys: string[]): unknown {
      return keys.reduce<unknown>(
        (value, key) =>
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined,
        node,
      );
    }

    /** An element's text (xmlbuilder2 puts it under `#` when the element has attributes). */
    const text = (value: unknown): string =>
      typeof value === 'object' && value !== null ? String(at(value, '#')) : String(value);

    /** The CII's settlement, parsed: totals and VAT breakdown as decimal strings. */
    function settlementOf(xml: string) {
      const settlement = at(
        create(xml).end({ format: 'object' }),
        'rsm:CrossIndustryInvoice',
        'rsm:SupplyChainTradeTransaction',
        'ram:ApplicableHeaderTradeSettlement',
      );
      const sums = at(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation');
      return {
        net: text(at(sums, 'ram:TaxBasisTotalAmount')),
        vat: text(at(sums, 'ram:TaxTotalAmount')),
        gross: text(at(sums, 'ram:GrandTotalAmount')),
        due: text(at(sums, 'ram:DuePayableAmount')),
        breakdown: [at(settlement, 'ram:ApplicableTradeTax')].flat().map((tax) => ({
          category: text(at(tax, 'ram:CategoryCode')),
          rate: text(at(tax, 'ram:RateApplicablePercent')),
          base: text(at(tax, 'ram:BasisAmount')),
          vat: text(at(tax, 'ram:CalculatedAmount')),
        })),
      };
    }

    const decimal = (minor: number) => (minor / 100).toFixed(2);

    for (const name of ['invoice-several-rates', 'invoice-english', 'invoice-categories']) {
      it(`${name}: totals and VAT per category and rate, to the cent`, async () => {
        const entry = cases.find((candidate) => candidate.name === name) as InvoiceCase;
        const pdf = pdfs.get(name) as Buffer;
        const xml = (await extractFacturX(pdf)) as string;
        const settlement = settlementOf(xml);
        const { invoice } = entry;
        // The XML against the invoice record (what GET /v1/invoices/{id} answers).
        expect(settlement).toMatchObject({
          net: decimal(invoice.totals.netMinor),
          vat: decimal(invoice.totals.vatMinor),
          gross: decimal(invoice.totals.grossMinor),
          due: decimal(invoice.amountDueMinor),
        });
        // The invoice records its breakdown per category and rate, as the XML carries it: one to one.
        expect(settlement.breakdown.map((tax) => ({ ...tax, rate: Number(tax.rate) }))).toEqual(
          invoice.vatBreakdown.map((entry) => ({
            category: entry.category,
            rate: entry.vatRate,
            base: decimal(entry.baseMinor),
            vat: decimal(entry.vatMinor),
          })),
        );
        // The XML against the PDF's own text: every total it carries is printed.
        const text = await pdfText(pdf);
        for (const minor of [invoice.totals.netMinor, invoice.totals.vatMinor, invoice.totals.grossMinor]) {
          expect(text).toContain(
            formatMoney(minor, invoice.currency, invoice.language).replace(/[\u00a0\u202f]/g, ' '),
          );
        }
        for (const tax of settlement.breakdown) {
          expect(text).toContain(
            formatMoney(Math.round(Number(tax.base) * 100), invoice.currency, invoice.language).replace(
              /[\u00a0\u202f]/g,
              ' ',
            ),
          );
        }
      });
    }
  });
});
