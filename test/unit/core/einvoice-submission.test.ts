import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CreditNote } from '../../../shared/contracts/schemas/credit-note.js';
import type { InvoiceChannel } from '../../../shared/contracts/schemas/einvoice.js';
import { WorkflowError } from '../../../shared/contracts/workflow/workflow.js';
import {
  defaultInvoiceChannel,
  initialEInvoiceState,
  invoiceChannelOf,
} from '../../../shared/core/domain/einvoice-channel.js';
import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import { PlatformAccessRefused, PlatformFailure } from '../../../shared/core/ports/approved-platform.js';
import {
  type EInvoiceSubmissionDeps,
  submitEInvoice,
  submitOnce,
} from '../../../shared/core/usecases/einvoice-submission.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { TestClock } from '../../support/given.js';
import { MemoryCreditNoteStore } from '../../support/memory/credit-notes.js';
import { MemoryDocumentStore } from '../../support/memory/documents.js';
import { invoiceSkOf, MemoryInvoiceStore } from '../../support/memory/invoices.js';
import { ScriptedPlatform } from '../../support/memory/platform.js';
import { MemoryRunStore } from '../../support/memory/runs.js';
import { MemoryStore } from '../../support/memory/store.js';

const RUN = 'run_2026-12-01';
const LEASE_MS = 80_000;
const PDF = Buffer.from('%PDF-1.7 a Factur-X, as StorePdf stored it');

let store: MemoryStore;
let clock: TestClock;
let platform: ScriptedPlatform;
let deps: EInvoiceSubmissionDeps;

beforeEach(async () => {
  store = new MemoryStore();
  clock = new TestClock(new Date('2026-12-01T21:10:00.000Z'));
  platform = new ScriptedPlatform(() => clock.now());
  const runs = new MemoryRunStore(store);
  await runs.create({ runId: RUN, cutOff: '2026-11-30', startedAt: '2026-12-01T21:00:00.000Z' });
  deps = {
    invoices: new MemoryInvoiceStore(store),
    documents: new MemoryDocumentStore(store),
    runs,
    platform,
    clock,
    leaseMs: LEASE_MS,
  };
});

/** An issued invoice with its PDF stored, waiting in the to-send queue, sent through `channel`. */
function givenIssuedInvoice(channel: InvoiceChannel | undefined): InvoiceRecord {
  const { einvoice: _none, ...invoice } = anInvoice(invoiceFigures([]), {
    pdf: {
      s3Key: 'invoices/2026/2026-000123.pdf',
      bytes: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      storedAt: '2026-12-01T21:05:00.000Z',
    },
    ...(channel && channel !== 'platform'
      ? { email: { status: 'ready' as const, recipients: ['ap@buyer.example'] } }
      : {}),
  });
  const record: InvoiceRecord = {
    ...invoice,
    ...(channel ? { einvoice: initialEInvoiceState(channel) } : {}),
    orderRange: { from: '2026-11-01', to: '2026-12-01' },
    purchaseOrderKey: '-',
  };
  store.invoices.set(record.invoiceId, { record, toSend: `2026-12-01T21:00:00.000Z#${record.invoiceId}` });
  store.invoiceAt.set(`${record.accountId}|${invoiceSkOf(record)}`, record.invoiceId);
  store.documents.set(record.pdf?.s3Key ?? '', PDF);
  return record;
}

const refOf = (invoice: InvoiceRecord) => ({
  runId: RUN,
  invoiceId: invoice.invoiceId,
  accountId: invoice.accountId,
  invoiceSk: invoiceSkOf(invoice),
});
const stored = (invoice: InvoiceRecord) => store.invoices.get(invoice.invoiceId);
const einvoiceOf = (invoice: InvoiceRecord) => stored(invoice)?.record.einvoice;
const run = () => store.runs.get(RUN);

async function failureOf(attempt: Promise<unknown>): Promise<WorkflowError> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof WorkflowError)) throw new Error(`expected a WorkflowError, got ${String(error)}`);
  return error;
}

describe('submitting an invoice to the approved platform', () => {
  it('deposits the stored Factur-X once, tracked by the invoice id, and records 200 Deposited with its date', async () => {
    const invoice = givenIssuedInvoice('platform');

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');

    expect(platform.flows).toHaveLength(1);
    const [flow] = platform.flows;
    expect(flow).toMatchObject({ trackingId: invoice.invoiceId, syntax: 'Factur-X' });
    expect(Buffer.from(flow?.document ?? []).equals(PDF)).toBe(true);
    expect(einvoiceOf(invoice)).toEqual({
      channel: 'platform',
      submission: {
        state: 'submitted',
        attempts: 1,
        flowId: flow?.flowId,
        submittedAt: '2026-12-01T21:10:00.000Z',
      },
      status: '200',
      statusLabel: 'Deposited',
      statusAt: '2026-12-01T21:10:00.000Z',
      history: [
        {
          eventId: `${flow?.flowId}:200`,
          status: '200',
          label: 'Deposited',
          at: '2026-12-01T21:10:00.000Z',
          reasons: [],
        },
      ],
    });
    // Through the platform alone: delivered, off the to-send queue, counted as submitted and sent.
    expect(stored(invoice)?.record.status).toBe('sent');
    expect(stored(invoice)?.toSend).toBeUndefined();
    expect(run()).toMatchObject({ invoicesSubmitted: 1, invoicesSent: 1, invoicesRejected: 0 });
  });

  it('submits nothing more when the step runs again (a retried step, a rerun of the run)', async () => {
    const invoice = givenIssuedInvoice('platform');
    await submitEInvoice(deps, refOf(invoice));

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('nothing-to-do');
    expect(await submitEInvoice(deps, { ...refOf(invoice), runId: 'run_rerun' })).toBe('nothing-to-do');
    expect(platform.calls.submit).toBe(1);
    expect(run()).toMatchObject({ invoicesSubmitted: 1 });
  });

  it('leaves an invoice sent by email alone (and one built before e-invoicing)', async () => {
    for (const channel of ['email', undefined] as const) {
      const invoice = givenIssuedInvoice(channel);
      expect(await submitEInvoice(deps, refOf(invoice))).toBe('nothing-to-do');
      expect(stored(invoice)?.toSend).toBeDefined();
      store.invoices.clear();
    }
    expect(platform.calls).toEqual({ submit: 0, findByTrackingId: 0, getFlow: 0 });
  });

  it('keeps an invoice also emailed in the to-send queue: its email is still to go', async () => {
    const invoice = givenIssuedInvoice('both');
    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(stored(invoice)?.record.status).toBe('issued');
    expect(stored(invoice)?.toSend).toBeDefined();
    expect(run()).toMatchObject({ invoicesSubmitted: 1, invoicesSent: 0 });
  });

  it('puts it back to pending on a transient failure and retries with backoff; the retry submits once', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.next({ kind: 'fail', failure: new PlatformFailure('transient', 'HTTP 503') });

    const error = await failureOf(submitEInvoice(deps, refOf(invoice)));
    expect(error.name).toBe('PlatformUnavailable');
    expect(einvoiceOf(invoice)?.submission).toEqual({ state: 'pending', attempts: 1 });

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(platform.flows).toHaveLength(1);
    expect(platform.calls.findByTrackingId).toBe(0);
  });

  it('after an ambiguous outcome, searches for the tracking id first and never submits again', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.next({ kind: 'deposit-then-fail', failure: new PlatformFailure('ambiguous', 'timed out') });

    const error = await failureOf(submitEInvoice(deps, refOf(invoice)));
    expect(error.name).toBe('PlatformUnavailable');
    expect(einvoiceOf(invoice)?.submission).toEqual({ state: 'submitting', attempts: 1 });

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('found');
    expect(platform.calls).toMatchObject({ submit: 1, findByTrackingId: 1 });
    expect(einvoiceOf(invoice)).toMatchObject({
      submission: { state: 'submitted', attempts: 2, flowId: platform.flows[0]?.flowId },
      status: '200',
    });
    expect(run()).toMatchObject({ invoicesSubmitted: 1 });
  });

  it('submits after an ambiguous outcome only when the search finds nothing there', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.next({ kind: 'fail', failure: new PlatformFailure('ambiguous', 'HTTP 502') });
    await failureOf(submitEInvoice(deps, refOf(invoice)));

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(platform.calls).toMatchObject({ submit: 2, findByTrackingId: 1 });
    expect(platform.flows).toHaveLength(1);
  });

  it('leaves a live claim to its holder, and takes over one older than the lease by searching first', async () => {
    const invoice = givenIssuedInvoice('platform');
    const claimedAt = clock.now().toISOString();
    await deps.invoices.claimSubmission(invoice, { from: 'pending', attempts: 0, at: claimedAt });

    const busy = await failureOf(submitEInvoice(deps, refOf(invoice)));
    expect(busy.name).toBe('TransientFailure');
    expect(platform.calls).toEqual({ submit: 0, findByTrackingId: 0, getFlow: 0 });

    clock.set(new Date(Date.parse(claimedAt) + LEASE_MS + 1));
    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(platform.calls).toMatchObject({ submit: 1, findByTrackingId: 1 });
    expect(einvoiceOf(invoice)?.submission).toMatchObject({ state: 'submitted', attempts: 2 });
  });

  it('records a refused deposit as rejected (213 with the reasons), listed on the run, without failing the step', async () => {
    const invoice = givenIssuedInvoice('platform');
    const reasons = [{ code: 'InvalidSchema', item: 'BR-CO-15', text: 'total amount with VAT is wrong' }];
    platform.next({ kind: 'fail', failure: new PlatformFailure('rejected', 'HTTP 422', reasons) });

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('rejected');

    expect(einvoiceOf(invoice)).toMatchObject({
      submission: { state: 'rejected', attempts: 1 },
      status: '213',
      statusLabel: 'Rejected',
      history: [{ status: '213', label: 'Rejected', reasons }],
    });
    expect(stored(invoice)?.record.status).toBe('issued');
    expect(stored(invoice)?.toSend).toBeUndefined();
    expect(run()).toMatchObject({ invoicesRejected: 1, invoicesSubmitted: 0, invoicesSent: 0 });
    expect([...(run()?.failures.values() ?? [])]).toEqual([
      {
        stage: 'deliver',
        invoiceId: invoice.invoiceId,
        reason: expect.stringMatching(
          /^Rejected by the approved platform \(213\): BR-CO-15: total amount with VAT is wrong\. .*credit note/,
        ),
      },
    ]);
    // Never submitted again: corrected by a credit note and a new invoice.
    expect(await submitEInvoice(deps, refOf(invoice))).toBe('nothing-to-do');
    expect(platform.calls.submit).toBe(1);
  });

  it('records a deposit whose acknowledgement is rejected as rejected, with the flow', async () => {
    const invoice = givenIssuedInvoice('platform');
    const reasons = [{ code: 'AlreadyExistingFlow', item: 'BT-1', text: 'already deposited' }];
    platform.next({ kind: 'deposit', acknowledgement: { status: 'rejected', reasons } });

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('rejected');
    expect(einvoiceOf(invoice)).toMatchObject({
      submission: { state: 'rejected', flowId: platform.flows[0]?.flowId },
      status: '213',
      history: [{ eventId: `${platform.flows[0]?.flowId}:213`, reasons }],
    });
  });

  it('records a deposit still being checked as submitted, with no status yet', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.next({ kind: 'deposit', acknowledgement: { status: 'pending' } });

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(einvoiceOf(invoice)).toEqual({
      channel: 'platform',
      submission: expect.objectContaining({ state: 'submitted' }),
      history: [],
    });
  });

  it('never takes a refusal of our credentials for the invoice’s rejection', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.next({ kind: 'fail', failure: new PlatformAccessRefused('token refused (HTTP 401)') });

    const error = await failureOf(submitEInvoice(deps, refOf(invoice)));
    expect(error.name).toBe('PlatformRefused');
    expect(einvoiceOf(invoice)?.submission).toEqual({ state: 'pending', attempts: 1 });
    expect(run()).toMatchObject({ invoicesRejected: 0 });
  });

  it('fails alone, PlatformNotConfigured, in a deployment without a platform; the invoice stays pending', async () => {
    const invoice = givenIssuedInvoice('platform');
    const error = await failureOf(submitEInvoice({ ...deps, platform: undefined }, refOf(invoice)));
    expect(error.name).toBe('PlatformNotConfigured');
    expect(error.message).toContain('2026-000123');
    expect(einvoiceOf(invoice)?.submission).toEqual({ state: 'pending', attempts: 0 });
    expect(stored(invoice)?.toSend).toBeDefined();
  });

  it('keeps a status recorded on the invoice while the deposit was under way', async () => {
    const invoice = givenIssuedInvoice('platform');
    platform.duringDeposit = async () => {
      // A webhook (another package's) lands "made available" before the deposit's answer is written.
      einvoiceOf(invoice)?.history.push({
        eventId: 'webhook:203',
        status: '203',
        label: 'Made available',
        at: '2026-12-01T21:10:01.000Z',
        reasons: [],
      });
    };

    expect(await submitEInvoice(deps, refOf(invoice))).toBe('submitted');
    expect(einvoiceOf(invoice)?.history.map((entry) => entry.status)).toEqual(['200', '203']);
    expect(einvoiceOf(invoice)).toMatchObject({ status: '203', statusLabel: 'Made available' });
    expect(run()).toMatchObject({ invoicesSubmitted: 1 });
  });
});

describe('the channel an account gets when enrolment names none', () => {
  const address = (country: string) => ({ billingAddress: { country } });

  it('is the platform for a French buyer with a SIREN, email for any other', () => {
    expect(defaultInvoiceChannel({ siren: '732829320', ...address('FR') })).toBe('platform');
    expect(defaultInvoiceChannel({ ...address('FR') })).toBe('email');
    expect(defaultInvoiceChannel({ siren: '732829320', ...address('BE') })).toBe('email');
  });

  it('never overrides the channel an account stores', () => {
    expect(invoiceChannelOf({ invoiceChannel: 'email', siren: '732829320', ...address('FR') })).toBe('email');
    expect(invoiceChannelOf({ siren: '732829320', ...address('FR') })).toBe('platform');
  });
});

describe('the same decisions for a credit note (submitOnce over its state port)', () => {
  const CREDIT_NOTE_ID = 'cn_01KA00000000000000000000AB';
  const PDF_KEY = 'credit-notes/2026/AV-2026-000001.pdf';

  /** A credit note on the platform as issued: only its e-invoice state matters to the port. */
  function givenCreditNote() {
    store.creditNotes.set(CREDIT_NOTE_ID, {
      creditNoteId: CREDIT_NOTE_ID,
      einvoice: initialEInvoiceState('platform'),
    } as unknown as CreditNote);
    store.documents.set(PDF_KEY, PDF);
  }
  const submitCreditNote = () => {
    const einvoice = store.creditNotes.get(CREDIT_NOTE_ID)?.einvoice;
    if (!einvoice) throw new Error('no credit note');
    return submitOnce(deps, new MemoryCreditNoteStore(store).submissionState(CREDIT_NOTE_ID), {
      kind: 'Credit note',
      id: CREDIT_NOTE_ID,
      number: 'AV-2026-000001',
      einvoice: structuredClone(einvoice),
      pdfKey: PDF_KEY,
    });
  };

  it('after an ambiguous outcome, finds the credit note by its id and never deposits it twice', async () => {
    givenCreditNote();
    platform.next({ kind: 'deposit-then-fail', failure: new PlatformFailure('ambiguous', 'timed out') });

    const error = await failureOf(submitCreditNote());
    expect(error.name).toBe('PlatformUnavailable');
    expect(error.message).toContain(`credit note ${CREDIT_NOTE_ID}`);

    expect(await submitCreditNote()).toBe('found');
    expect(await submitCreditNote()).toBe('nothing-to-do');
    expect(platform.calls).toMatchObject({ submit: 1, findByTrackingId: 1 });
    expect(platform.flows[0]?.trackingId).toBe(CREDIT_NOTE_ID);
    expect(store.creditNotes.get(CREDIT_NOTE_ID)?.einvoice).toMatchObject({
      submission: { state: 'submitted', attempts: 2, flowId: platform.flows[0]?.flowId },
      status: '200',
    });
    // No run to count it on: the invoices' counters are untouched.
    expect(run()).toMatchObject({ invoicesSubmitted: 0 });
  });
});
