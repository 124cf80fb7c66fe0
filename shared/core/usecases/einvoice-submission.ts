import { createHash } from 'node:crypto';
import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';
import { type DeliverInvoiceInput, WorkflowError } from '../../contracts/workflow/workflow.js';
import { channelIncludesPlatform, einvoiceOf } from '../domain/einvoice-channel.js';
import {
  currentLifecycleStatus,
  depositEventId,
  type LifecycleEvent,
  type LifecycleHistoryEntry,
  type LifecycleReason,
  lifecycleLabel,
  recordLifecycleEvent,
} from '../domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import {
  type ApprovedPlatform,
  PlatformAccessRefused,
  PlatformFailure,
  type PlatformFlow,
} from '../ports/approved-platform.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentStore } from '../ports/documents.js';
import type { InvoiceStore } from '../ports/invoices.js';
import type { RunStore } from '../ports/runs.js';
import type { WarningLog } from './billing.js';

/*
 * SubmitEInvoice, the billing run's step between StorePdf and SendEmail: each invoice whose channel includes
 * the approved platform is deposited there AT MOST ONCE (invariant 6), as the stored Factur-X PDF with the
 * invoice id as tracking id. The platform does not refuse a second flow with the same tracking id, so the
 * guard is ours: the invoice's submission moves `pending → submitting` by a conditional write before the
 * platform is called, and to `submitted` or `rejected` after. An attempt whose outcome is unknown leaves it
 * `submitting`; whoever takes it over next searches the platform for the tracking id before submitting.
 */

export interface EInvoiceSubmissionDeps {
  invoices: Pick<InvoiceStore, 'getAt' | 'claimSubmission' | 'releaseSubmission' | 'recordSubmission'>;
  /** Where StorePdf put the invoice's PDF (the Factur-X). */
  documents: Pick<DocumentStore, 'get'>;
  /** The run's failures: a rejected invoice is listed there with the platform's reasons. */
  runs: Pick<RunStore, 'recordFailure'>;
  /** Undefined in a deployment without a platform: an invoice for it fails alone (PlatformNotConfigured). */
  platform: ApprovedPlatform | undefined;
  clock: Clock;
  /** A `submitting` claimed longer ago than this was abandoned and may be taken over (SUBMISSION_LEASE_MS). */
  leaseMs: number;
  log?: WarningLog;
}

/** What the step did: nothing (not for the platform, or done), deposited, found deposited, or rejected. */
export type SubmissionResult = 'nothing-to-do' | 'submitted' | 'found' | 'rejected';

/** How many times the outcome is written again when a status landed on the invoice meanwhile. */
const RECORD_ATTEMPTS = 3;

/**
 * Submits the invoice to the approved platform once. Transient failures put it back to `pending` and throw
 * `PlatformUnavailable` (the workflow retries with backoff); an ambiguous one leaves it `submitting`,
 * unclaimed, and throws the same: the retry searches first. A rejection (the deposit refused, or its
 * acknowledgement `rejected`) is recorded (`rejected`, 213 with the reasons, on the run's failures) and
 * is not an error of the step: the invoice is corrected by a credit note and a new invoice, never edited.
 */
export async function submitEInvoice(
  deps: EInvoiceSubmissionDeps,
  input: DeliverInvoiceInput,
): Promise<SubmissionResult> {
  const invoice = await deps.invoices.getAt(input);
  if (!invoice) throw new WorkflowError('NotFound', `Invoice ${input.invoiceId} does not exist`);
  if (!invoice.number || !invoice.issueDate) {
    throw new WorkflowError('NotFound', `Invoice ${input.invoiceId} is not issued`);
  }
  const einvoice = einvoiceOf(invoice);
  const submission = einvoice.submission;
  if (!channelIncludesPlatform(einvoice.channel) || !submission) return 'nothing-to-do';
  if (submission.state === 'submitted' || submission.state === 'rejected') return 'nothing-to-do';

  const now = deps.clock.now();
  // `submitting` with a claim younger than the lease: another attempt is at work (a Task that timed out
  // while its invocation runs on). Without a claim, or an older one, its outcome is unknown: search first.
  if (submission.state === 'submitting' && submission.claimedAt) {
    const age = now.getTime() - Date.parse(submission.claimedAt);
    if (Number.isFinite(age) && age < deps.leaseMs) {
      throw new WorkflowError(
        'TransientFailure',
        `Invoice ${invoice.invoiceId} is being submitted by another attempt (claimed ${submission.claimedAt})`,
      );
    }
  }
  const platform = deps.platform;
  if (!platform) {
    throw new WorkflowError(
      'PlatformNotConfigured',
      `Invoice ${invoice.number} goes through the approved platform (channel ${einvoice.channel}), ` +
        'but this deployment has no platform configured (PLATFORM_* variables)',
    );
  }
  const pdf = invoice.pdf;
  if (!pdf) throw new WorkflowError('TransientFailure', `Invoice ${invoice.invoiceId} has no PDF yet`);

  const claimedAt = now.toISOString();
  const claimed = await deps.invoices.claimSubmission(invoice, {
    from: submission.state,
    attempts: submission.attempts,
    at: claimedAt,
  });
  if (!claimed) {
    throw new WorkflowError(
      'TransientFailure',
      `The submission of invoice ${invoice.invoiceId} was claimed by another attempt meanwhile`,
    );
  }
  const attempts = submission.attempts + 1;
  // The invoice as the claim left it: what recording the outcome is conditioned on.
  const held: InvoiceRecord = {
    ...invoice,
    einvoice: { ...einvoice, submission: { state: 'submitting', attempts, claimedAt } },
  };
  const context: RecordContext = { deps, invoice: held, attempts, ref: input };
  // Whether a flow may exist that we do not know of: true from a deposit's start until it answered.
  let depositUnknown = submission.state === 'submitting';
  try {
    if (depositUnknown) {
      const found = pick(await platform.findByTrackingId(invoice.invoiceId), deps, invoice);
      if (found) return await recordFlow(context, await withAcknowledgement(platform, found), 'found');
      depositUnknown = false;
    }
    const document = await deps.documents.get(pdf.s3Key);
    depositUnknown = true;
    let flow: PlatformFlow;
    try {
      flow = await platform.submit({
        trackingId: invoice.invoiceId,
        syntax: 'Factur-X',
        fileName: `${invoice.number}.pdf`,
        document,
        sha256: createHash('sha256').update(document).digest('hex'),
      });
    } catch (error) {
      // Transient and rejected failures say nothing was deposited.
      if (error instanceof PlatformFailure && error.kind !== 'ambiguous') depositUnknown = false;
      throw error;
    }
    return await recordFlow(context, await withAcknowledgement(platform, flow), 'submitted');
  } catch (error) {
    if (
      error instanceof PlatformFailure &&
      error.kind === 'rejected' &&
      !(error instanceof PlatformAccessRefused) &&
      !depositUnknown
    ) {
      return recordRejection(context, {
        eventId: `rejected:${invoice.invoiceId}:${attempts}`,
        at: deps.clock.now().toISOString(),
        reasons: error.reasons.length > 0 ? error.reasons : [{ text: error.message }],
      });
    }
    await deps.invoices.releaseSubmission(invoice, {
      attempts,
      to: depositUnknown ? 'unresolved' : 'pending',
    });
    throw stepErrorOf(error, invoice.invoiceId);
  }
}

/** The flow to keep when a search finds several (a defect deposited twice): an accepted one, else the first. */
function pick(
  flows: readonly PlatformFlow[],
  deps: Pick<EInvoiceSubmissionDeps, 'log'>,
  invoice: InvoiceRecord,
): PlatformFlow | undefined {
  if (flows.length > 1) {
    deps.log?.warn(`Invoice ${invoice.number} was deposited ${flows.length} times on the platform`, {
      invoiceId: invoice.invoiceId,
      flowIds: flows.map((flow) => flow.flowId),
    });
  }
  return flows.find((flow) => flow.acknowledgement.status !== 'rejected') ?? flows[0];
}

/**
 * The deposit's answer usually leaves the acknowledgement pending; one read of the flow gets it when the
 * platform checked the document at once. A failed read changes nothing: the status comes later anyway.
 */
async function withAcknowledgement(platform: ApprovedPlatform, flow: PlatformFlow): Promise<PlatformFlow> {
  if (flow.acknowledgement.status !== 'pending') return flow;
  try {
    return (await platform.getFlow(flow.flowId)) ?? flow;
  } catch {
    return flow;
  }
}

/** What the step maps a failure to: retried with backoff, or handed to the Catch with its reason. */
function stepErrorOf(error: unknown, invoiceId: string): unknown {
  if (!(error instanceof PlatformFailure)) return error;
  if (error.kind === 'transient') {
    return new WorkflowError('PlatformUnavailable', `The platform is unavailable: ${error.message}`);
  }
  if (error.kind === 'ambiguous') {
    return new WorkflowError(
      'PlatformUnavailable',
      `The deposit of invoice ${invoiceId} may or may not have reached the platform (${error.message}); ` +
        'the next attempt searches for it before submitting again',
    );
  }
  return new WorkflowError('PlatformRefused', `The platform refused the request: ${error.message}`);
}

interface RecordContext {
  deps: EInvoiceSubmissionDeps;
  invoice: InvoiceRecord;
  /** The claim this attempt holds. */
  attempts: number;
  /** The step's input: the run, and where the invoice is (to read it again). */
  ref: DeliverInvoiceInput;
}

/** A deposited flow: `submitted` (200 when accepted), or `rejected` when its acknowledgement says so. */
async function recordFlow(
  context: RecordContext,
  flow: PlatformFlow,
  result: 'submitted' | 'found',
): Promise<SubmissionResult> {
  const ack = flow.acknowledgement;
  if (ack.status === 'rejected') {
    return recordRejection(context, {
      eventId: depositEventId(flow.flowId, '213'),
      at: flow.updatedAt,
      reasons: ack.reasons,
      flow,
    });
  }
  const event = ack.status === 'accepted' ? lifecycleEvent(flow, '200', flow.updatedAt, []) : undefined;
  await record(context, event, {
    state: 'submitted',
    flowId: flow.flowId,
    submittedAt: flow.submittedAt,
  });
  return result;
}

/** The platform refused the deposit: 213 with its reasons, on the invoice and among the run's failures. */
async function recordRejection(
  context: RecordContext,
  rejection: { eventId: string; at: string; reasons: readonly LifecycleReason[]; flow?: PlatformFlow },
): Promise<SubmissionResult> {
  const { invoice, deps } = context;
  const reasons = rejection.reasons.map(
    (reason) => `${(reason.item ?? reason.code) ? `${reason.item ?? reason.code}: ` : ''}${reason.text}`,
  );
  // Listed first (once per invoice): a retry after a crash here finds the rejection again and records it.
  await deps.runs.recordFailure(context.ref.runId, {
    stage: 'deliver',
    invoiceId: invoice.invoiceId,
    reason: (
      `Rejected by the approved platform (213): ${reasons.join('; ')}. Invoice ${invoice.number} stays ` +
      'issued: correct it with a credit note and a new invoice.'
    ).slice(0, 1000),
  });
  const event: LifecycleEvent = {
    eventId: rejection.eventId,
    flowId: rejection.flow?.flowId ?? '',
    document: { trackingId: invoice.invoiceId },
    status: '213',
    at: rejection.at,
    reasons: rejection.reasons,
  };
  await record(context, event, {
    state: 'rejected',
    ...(rejection.flow ? { flowId: rejection.flow.flowId, submittedAt: rejection.flow.submittedAt } : {}),
  });
  return 'rejected';
}

function lifecycleEvent(
  flow: PlatformFlow,
  status: '200' | '213',
  at: string,
  reasons: readonly LifecycleReason[],
): LifecycleEvent {
  return {
    eventId: depositEventId(flow.flowId, status),
    flowId: flow.flowId,
    document: { trackingId: flow.trackingId ?? '' },
    status,
    at,
    reasons,
  };
}

/**
 * Writes the outcome while this attempt's claim holds. A status recorded on the invoice meanwhile (a
 * webhook racing the deposit's answer) makes the write fail: read again and merge, a few times. A claim
 * taken over means another attempt owns the outcome (it searches and finds this flow): leave it to it.
 */
async function record(
  context: RecordContext,
  event: LifecycleEvent | undefined,
  outcome: { state: 'submitted' | 'rejected'; flowId?: string; submittedAt?: string },
): Promise<void> {
  const { deps, attempts } = context;
  let invoice = context.invoice;
  for (let round = 0; round < RECORD_ATTEMPTS; round++) {
    const current = einvoiceOf(invoice);
    if (current.submission?.state !== 'submitting' || current.submission.attempts !== attempts) return;
    const history = labelled(event ? recordLifecycleEvent(current.history, event) : current.history);
    const status = currentLifecycleStatus(history);
    const latest = history.at(-1);
    const einvoice: EInvoiceState = {
      ...current,
      submission: {
        state: outcome.state,
        attempts,
        ...(outcome.flowId ? { flowId: outcome.flowId } : {}),
        ...(outcome.submittedAt ? { submittedAt: outcome.submittedAt } : {}),
      },
      history,
      ...(status && latest ? { status, statusLabel: latest.label, statusAt: latest.at } : {}),
    };
    const platformOnly = current.channel === 'platform';
    const written = await deps.invoices.recordSubmission(invoice, {
      attempts,
      historyLength: current.history.length,
      einvoice,
      runId: context.ref.runId,
      counter: outcome.state === 'submitted' ? 'invoicesSubmitted' : 'invoicesRejected',
      // Sent through the platform alone: delivered once deposited; off the to-send queue either way
      // (an emailed invoice leaves it when its email is sent).
      delivered: platformOnly && outcome.state === 'submitted',
      leavesQueue: platformOnly,
    });
    if (written === 'recorded') return;
    const reread = await deps.invoices.getAt(context.ref);
    if (!reread) return;
    invoice = reread;
  }
  throw new WorkflowError(
    'TransientFailure',
    `The submission of invoice ${invoice.invoiceId} could not be recorded: its state kept moving`,
  );
}

type StoredHistoryEntry = EInvoiceState['history'][number];

/** History entries as the invoice keeps them: each with its status's English label (the API's language). */
function labelled(history: readonly LifecycleHistoryEntry[]): StoredHistoryEntry[] {
  return history.map(({ amounts, ...entry }) => ({
    ...entry,
    reasons: [...entry.reasons],
    ...(amounts ? { amounts: [...amounts] } : {}),
    label: lifecycleLabel(entry.status, 'en'),
  }));
}
