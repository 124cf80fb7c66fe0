/**
 * Issue 11, item 2: the statement of account as a PDF, in French and in English: the open items with their
 * payment references, the aging buckets and the open balance they add up to, how to pay.
 */
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../shared/contracts/schemas/buyer-api.js';
import { creditorReference, statementCreditorReference } from '../../../shared/core/domain/statement.js';
import { renderStatementPdf } from '../../../shared/documents/pdf/statement.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { threeOrders } from '../../builders/orders.js';
import { plain, readPdf } from './pdf-reader.js';

const { issuer, buyer } = anInvoice(invoiceFigures(threeOrders()));
const accountId = 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R';
const item = (
  number: string,
  dueDate: string,
  balanceMinor: number,
  bucket: Statement['items'][number]['bucket'],
  daysPastDue: number,
) => ({
  kind: 'invoice' as const,
  invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
  number,
  issueDate: '2026-09-30',
  dueDate,
  amountDueMinor: balanceMinor + 1_000,
  paidMinor: 1_000,
  creditedMinor: 0,
  balanceMinor,
  daysPastDue,
  bucket,
  creditorReference: creditorReference(number),
});
const statement: Statement = {
  accountId,
  legalName: buyer.legalName,
  currency: 'EUR',
  asOf: '2026-12-01',
  items: [
    item('2026-000101', '2026-08-31', 15_020_29, 'over90', 92),
    item('2026-000123', '2026-12-30', 4_990, 'notDue', 0),
  ],
  totals: {
    notDue: 4_990,
    days1to30: 0,
    days31to60: 0,
    days61to90: 0,
    over90: 15_020_29,
    totalMinor: 15_070_19,
  },
  payment: {
    payee: issuer.legalName,
    iban: 'FR7630006000011234567890189',
    bic: 'AGRIFRPP',
    statementCreditorReference: statementCreditorReference(accountId),
  },
};
const customer = { legalName: buyer.legalName, billingAddress: buyer.billingAddress };

describe('the statement of account PDF', () => {
  it('prints the open items, the aging adding up to the open balance and how to pay, in French', async () => {
    const pdf = await renderStatementPdf(statement, issuer, customer, 'fr');
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const text = plain((await readPdf(pdf)).text);
    for (const expected of [
      'RELEVÉ DE COMPTE',
      'Arrêté au | 01/12/2026',
      buyer.legalName,
      `2026-000101 | 30/09/2026 | 31/08/2026 | 92 | 15 030,29 € | 15 020,29 € | ${creditorReference('2026-000101')}`,
      'Plus de 90 jours | 15 020,29 €',
      'Non échu | 49,90 €',
      'Solde dû | 15 070,19 €',
      'Relevé de compte · 01/12/2026 · Page 1',
      'IBAN : FR76 3000 6000 0112 3456 7890 189',
      `Référence du relevé : ${statement.payment.statementCreditorReference}`,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('speaks English when asked, and says when nothing is open', async () => {
    const text = plain(
      (
        await readPdf(
          await renderStatementPdf(
            { ...statement, items: [], totals: { ...statement.totals, notDue: 0, over90: 0, totalMinor: 0 } },
            issuer,
            customer,
            'en',
          ),
        )
      ).text,
    );
    expect(text).toContain('STATEMENT OF ACCOUNT');
    expect(text).toContain('No open items: your account is up to date.');
    expect(text).toContain('Open balance | €0.00');
    expect(text).toContain('Payee: Marketplace SAS');
  });
});
