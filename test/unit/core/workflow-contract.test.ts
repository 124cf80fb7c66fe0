import { describe, expect, it } from 'vitest';
import {
  deliverInvoiceInputSchema,
  recordFailureInputSchema,
  runInputSchema,
} from '../../../shared/contracts/workflow/workflow.js';

describe('the workflow contract', () => {
  it('needs the invoice ref on a delivery step: there is no older definition to fall back for', () => {
    const ref = { invoiceId: 'inv_01JC0000000000000000000000', accountId: 'acc_01JC0000000000000000000000' };
    expect(
      deliverInvoiceInputSchema.safeParse({ runId: 'run_2026-11-30', invoiceId: ref.invoiceId }).success,
    ).toBe(false);
    expect(
      deliverInvoiceInputSchema.parse({
        runId: 'run_2026-11-30',
        ...ref,
        invoiceSk: 'INVOICE#2026-11-01#EUR#-',
      }),
    ).toEqual({ runId: 'run_2026-11-30', ...ref, invoiceSk: 'INVOICE#2026-11-01#EUR#-' });
  });

  it('starts a run from what the schedule sends, as a scheduled run', () => {
    expect(runInputSchema.parse({ scheduledAt: '2026-11-30T21:00:00.000Z' })).toEqual({
      trigger: 'schedule',
      scheduledAt: '2026-11-30T21:00:00.000Z',
    });
  });

  it('takes what a Catch hands over as it is, without adding absent fields', () => {
    const caught = { runId: 'run_x', stage: 'build', accountId: 'acc_1', error: { Error: 'NotFound' } };
    expect(recordFailureInputSchema.parse(caught)).toStrictEqual(caught);
  });
});
