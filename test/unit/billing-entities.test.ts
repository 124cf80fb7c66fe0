import { describe, expect, it } from 'vitest';
import { DueAccount } from '../../shared/adapters/dynamo/entities/billing-state.js';
import {
  InvoiceEntity,
  InvoiceToSend,
  invoiceKeyOf,
} from '../../shared/adapters/dynamo/entities/invoices.js';
import { RunEntity, RunFailureEntity } from '../../shared/adapters/dynamo/entities/runs.js';
import { itemOf, parseItem, StoredItemInvalid } from '../../shared/adapters/dynamo/kit/entity.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import { mapInvoice } from '../../shared/documents/einvoice/mapping.js';
import { anInvoice, invoiceFigures } from '../builders/invoices.js';
import { aLine, aStoredOrder } from '../builders/orders.js';

/** An issued invoice as the billing run stores it: the record, its key and index attributes. */
function anInvoiceRecord(): InvoiceRecord {
  const order = aStoredOrder(1, [
    aLine({
      sku: 'FLOUR-T65-25KG',
      description: 'Farine T65',
      unitPriceMinor: 2150,
      vatRate: 5.5,
      sellerId: 's1',
    }),
  ]);
  return {
    ...anInvoice(invoiceFigures([order])),
    orderRange: { from: '2026-11-01', to: '2026-12-01' },
    purchaseOrderKey: 'PO-2026-118',
  };
}

describe('invoice items', () => {
  it('read back as the record written, without their key and index attributes', () => {
    const record = anInvoiceRecord();
    const item = itemOf(InvoiceEntity, invoiceKeyOf(record), record, {
      ...keys.toSend('2026-12-01T00:06:00.000Z', record.invoiceId),
      ...keys.openInvoice('2027-01-15', record.invoiceId),
    });
    expect(item).toMatchObject({ PK: `ACCOUNT#${record.accountId}`, entity: 'Invoice', sendPk: 'TOSEND' });
    expect(parseItem(InvoiceEntity, item)).toStrictEqual(record);
  });

  it('still read when stored before the late-payment penalty per half-year existed', () => {
    const { latePenalty: _resolved, ...record } = anInvoiceRecord();
    const { vatOnDebits: _option, ...issuer } = record.issuer;
    // The fixed rate it printed, and the issuer's penalty configuration of the time copied along.
    const old = {
      ...record,
      issuer: {
        ...issuer,
        latePenaltyRatePercent: 12.15,
        latePenalty: { ecbMarginPoints: 10, ecbRates: {} },
      },
    };
    const read = parseItem(InvoiceEntity, { ...invoiceKeyOf(record), entity: 'Invoice', ...old });
    expect(read.latePenalty).toBeUndefined();
    expect(read.issuer).toStrictEqual({ ...issuer, latePenaltyRatePercent: 12.15, vatOnDebits: false });
  });

  it('still read when their PDF was stored before documents were written once (no SHA-256, no version)', () => {
    const record = anInvoiceRecord();
    const pdf = {
      s3Key: 'invoices/2026/2026-000001.pdf',
      bytes: 48_113,
      storedAt: '2026-11-30T21:06:00.000Z',
    };
    const read = parseItem(InvoiceEntity, { ...invoiceKeyOf(record), entity: 'Invoice', ...record, pdf });
    expect(read.pdf).toStrictEqual(pdf);
  });

  it('still read when stored before VAT categories and electronic addresses existed: S above 0 %, Z at 0 %', () => {
    const record = anInvoiceRecord();
    const old = {
      ...record,
      vatBreakdown: [
        { vatRate: 5.5, baseMinor: 2150, vatMinor: 118 },
        { vatRate: 0, baseMinor: 500, vatMinor: 0 },
      ],
    };
    const read = parseItem(InvoiceEntity, { ...invoiceKeyOf(record), entity: 'Invoice', ...old });
    expect(read.vatBreakdown).toStrictEqual([
      { category: 'S', vatRate: 5.5, baseMinor: 2150, vatMinor: 118 },
      { category: 'Z', vatRate: 0, baseMinor: 500, vatMinor: 0 },
    ]);
    expect(read.buyer.electronicAddress).toBeUndefined();
    expect(read.issuer.vatExemptions).toBeUndefined();
    // Its e-invoice then names the defaults: the buyer's SIREN under 0225, the categories S and Z.
    const { header } = mapInvoice(read);
    expect(header.buyer.electronicAddress).toEqual({ scheme: '0225', id: read.buyer.siren });
    expect(header.vatBreakdown.map((entry) => entry.category)).toEqual(['S', 'Z']);
  });

  it('keep the issuer’s exemption reasons and electronic address, and the buyer’s address', () => {
    const record = anInvoiceRecord();
    const withData = {
      ...record,
      issuer: {
        ...record.issuer,
        electronicAddress: { scheme: '0225', id: '912345675_AP' },
        vatExemptions: { E: { code: 'VATEX-FR-CGI261-4', reason: 'Exonération, article 261-4-4° du CGI' } },
      },
      buyer: { ...record.buyer, electronicAddress: { scheme: 'EM', id: 'ap@buyer.example' } },
    };
    const item = itemOf(InvoiceEntity, invoiceKeyOf(withData), withData);
    expect(parseItem(InvoiceEntity, item)).toStrictEqual(withData);
  });

  it('that are not an invoice are reported as a stored defect, naming the item', () => {
    const { invoiceId: _id, ...broken } = anInvoiceRecord();
    const item = { ...keys.invoice('acc_1', '2026-11-01', 'EUR', '-'), entity: 'Invoice', ...broken };
    expect(() => parseItem(InvoiceEntity, item)).toThrow(StoredItemInvalid);
    expect(() => parseItem(InvoiceEntity, item)).toThrow(/INVOICE#2026-11-01#EUR#-.*invoiceId/);
  });

  it('in the to-send index give the delivery steps their ref: id, account and sort key', () => {
    const item = { invoiceId: 'inv_1', accountId: 'acc_1', SK: 'INVOICE#2026-11-01#EUR#-' };
    expect(parseItem(InvoiceToSend, item)).toEqual({
      invoiceId: 'inv_1',
      accountId: 'acc_1',
      invoiceSk: 'INVOICE#2026-11-01#EUR#-',
    });
  });
});

describe('run items', () => {
  it('count 0 for counters an older item never had', () => {
    const item = {
      ...keys.run('run_x'),
      runId: 'run_x',
      cutOff: '2026-11-30',
      status: 'running',
      startedAt: 'x',
    };
    expect(parseItem(RunEntity, item)).toMatchObject({ invoiced: 0, skipped: 0, failed: 0, invoicesSent: 0 });
  });

  it('keep a failure of the workflow itself without an account or invoice', () => {
    const item = { ...keys.runFailure('run_x', 'run', 'workflow'), stage: 'run', reason: 'TypeError: boom' };
    expect(parseItem(RunFailureEntity, item)).toStrictEqual({ stage: 'run', reason: 'TypeError: boom' });
  });
});

describe('the due index', () => {
  it('lists account ids', () => {
    expect(parseItem(DueAccount, { accountId: 'acc_1', PK: 'ACCOUNT#acc_1', duePk: 'DUE' })).toEqual({
      accountId: 'acc_1',
    });
  });
});
