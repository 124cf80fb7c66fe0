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
import type { SubmissionStatePort } from '../ports/einvoice-submission.js';
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
 *
 * The decisions are the same for a credit note (credit-note-delivery): `submitOnce` takes the document's
 * state through a SubmissionStatePort; `submitEInvoice` is the invoice's step around it.
 */

/** What deciding a submission needs, whatever the document: where its PDF is, the platform, the time. */
export interface SubmitOnceDeps {
  /** Where the document's PDF (the Factur-X) is stored. */
  documents: Pick<DocumentStore, 'get'>;
  /** Undefined in a deployment without a platform: a document for it fails alone (PlatformNotConfigured). */
  platform: ApprovedPlatform | undefined;
  clock: Clock;
  /** A `submitting` claimed longer ago than this was abandoned and may be taken over (SUBMISSION_LEASE_MS). */
  leaseMs: number;
  log?: WarningLog;
}

export interface EInvoiceSubmissionDeps extends SubmitOnceDeps {
  invoices: Pick<InvoiceStore, 'getAt' | 'claimSubmission' | 'releaseSubmission' | 'recordSubmission'>;
  /** The run's failures: a rejected invoice is listed there with the platform's reasons. */
  runs: Pick<RunStore, 'recordFailure'>;
}

/** What the step did: nothing (not for the platform, or done), deposited, found deposited, or rejected. */
export type SubmissionResult = 'nothing-to-do' | 'submitted' | 'found' | 'rejected';

/** A document to deposit, as read: what the decisions need of it. */
export interface SubmittedDocument {
  /** How messages name it: `Invoice`, `Credit note`. */
  kind: string;
  /** Our id: the flow's tracking id, what a search after an unknown outcome looks for. */
  id: string;
  number: string;
  einvoice: EInvoiceState;
  /** Where its PDF is stored; undefined before it is. */
  pdfKey: string | undefined;
}

export interface SubmissionHooks {
  /**
   * Called with the platform's reasons before a rejection is recorded (again, if a crash made a retry find
   * it again): the invoice lists it among the run's failures.
   */
  onRejected?: (reasons: readonly string[]) => Promise<void>;
}

/** How many times the outcome is written again when a status landed on the document meanwhile. */
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
  const number = invoice.number;
  return submitOnce(
    deps,
    invoiceSubmissionState(deps, invoice, input),
    {
      kind: 'Invoice',
      id: invoice.invoiceId,
      number,
      einvoice: einvoiceOf(invoice),
      pdfKey: invoice.pdf?.s3Key,
    },
    {
      // Listed first (once per invoice): a retry after a crash here finds the rejection again and records it.
      onRejected: (reasons) =>
        deps.runs.recordFailure(input.runId, {
          stage: 'deliver',
          invoiceId: invoice.invoiceId,
          reason: (
            `Rejected by the approved platform (213): ${reasons.join('; ')}. Invoice ${number} stays ` +
            'issued: correct it with a credit note and a new invoice.'
          ).slice(0, 1000),
        }),
    },
  );
}

/**
 * The invoice's submission state: its store's conditional writes, the outcome counted on the run. Sent
 * through the platform alone, an invoice is delivered once deposited; it leaves the to-send queue either
 * way (an emailed invoice leaves it when its email is sent).
 */
function invoiceSubmissionState(
  deps: EInvoiceSubmissionDeps,
  invoice: InvoiceRecord,
  ref: DeliverInvoiceInput,
): SubmissionStatePort {
  return {
    read: async () => {
      const current = await deps.invoices.getAt(ref);
      return current ? einvoiceOf(current) : undefined;
    },
    claim: (claim) => deps.invoices.claimSubmission(invoice, claim),
    release: (release) => deps.invoices.releaseSubmission(invoice, release),
    record: ({ attempts, historyLength, einvoice }) => {
      const platformOnly = einvoice.channel === 'platform';
      const submitted = einvoice.submission?.state === 'submitted';
      return deps.invoices.recordSubmission(invoice, {
        attempts,
        historyLength,
        einvoice,
        runId: ref.runId,
        counter: submitted ? 'invoicesSubmitted' : 'invoicesRejected',
        delivered: platformOnly && submitted,
        leavesQueue: platformOnly,
      });
    },
  };
}

/**
 * Deposits a document on the approved platform AT MOST ONCE, as its stored Factur-X PDF with its id as
 * tracking id: claims `pending → submitting` by a conditional write first, searches the platform for the
 * tracking id when a previous attempt's outcome is unknown (released unresolved, or its claim stale), and
 * records `submitted` or `rejected` (213 with the reasons) while its claim holds. Transient failures put it
 * back to `pending` and throw `PlatformUnavailable`; an ambiguous one leaves it `submitting` and throws the
 * same (the retry searches first); another attempt at work throws `TransientFailure`.
 */
export async function submitOnce(
  deps: SubmitOnceDeps,
  state: SubmissionStatePort,
  document: SubmittedDocument,
  hooks: SubmissionHooks = {},
): Promise<SubmissionResult> {
  const { einvoice, kind, id } = document;
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
        `${kind} ${id} is being submitted by another attempt (claimed ${submission.claimedAt})`,
      );
    }
  }
  const platform = deps.platform;
  if (!platform) {
    throw new WorkflowError(
      'PlatformNotConfigured',
      `${kind} ${document.number} goes through the approved platform (channel ${einvoice.channel}), ` +
        'but this deployment has no platform configured (PLATFORM_* variables)',
    );
  }
  const pdfKey = document.pdfKey;
  if (!pdfKey) throw new WorkflowError('TransientFailure', `${kind} ${id} has no PDF yet`);

  const claimedAt = now.toISOString();
  const claimed = await state.claim({ from: submission.state, attempts: submission.attempts, at: claimedAt });
  if (!claimed) {
    throw new WorkflowError(
      'TransientFailure',
      `The submission of ${kind.toLowerCase()} ${id} was claimed by another attempt meanwhile`,
    );
  }
  const attempts = submission.attempts + 1;
  // The state as the claim left it: what recording the outcome is conditioned on.
  const held: EInvoiceState = { ...einvoice, submission: { state: 'submitting', attempts, claimedAt } };
  const context: RecordContext = { deps, state, hooks, document, einvoice: held, attempts };
  // Whether a flow may exist that we do not know of: true from a deposit's start until it answered.
  let depositUnknown = submission.state === 'submitting';
  try {
    if (depositUnknown) {
      const found = pick(await platform.findByTrackingId(id), deps, document);
      if (found) return await recordFlow(context, await withAcknowledgement(platform, found), 'found');
      depositUnknown = false;
    }
    const pdf = await deps.documents.get(pdfKey);
    depositUnknown = true;
    let flow: PlatformFlow;
    try {
      flow = await platform.submit({
        trackingId: id,
        syntax: 'Factur-X',
        fileName: `${document.number}.pdf`,
        document: pdf,
        sha256: createHash('sha256').update(pdf).digest('hex'),
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
        eventId: `rejected:${id}:${attempts}`,
        at: deps.clock.now().toISOString(),
        reasons: error.reasons.length > 0 ? error.reasons : [{ text: error.message }],
      });
    }
    await state.release({ attempts, to: depositUnknown ? 'unresolved' : 'pending' });
    throw stepErrorOf(error, document);
  }
}

/** The flow to keep when a search finds several (a defect deposited twice): an accepted one, else the first. */
function pick(
  flows: readonly PlatformFlow[],
  deps: Pick<SubmitOnceDeps, 'log'>,
  document: SubmittedDocument,
): PlatformFlow | undefined {
  if (flows.length > 1) {
    deps.log?.warn(
      `${document.kind} ${document.number} was deposited ${flows.length} times on the platform`,
      {
        trackingId: document.id,
        flowIds: flows.map((flow) => flow.flowId),
      },
    );
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
function stepErrorOf(error: unknown, document: SubmittedDocument): unknown {
  if (!(error instanceof PlatformFailure)) return error;
  if (error.kind === 'transient') {
    return new WorkflowError('PlatformUnavailable', `The platform is unavailable: ${error.message}`);
  }
  if (error.kind === 'ambiguous') {
    return new WorkflowError(
      'PlatformUnavailable',
      `The deposit of ${document.kind.toLowerCase()} ${document.id} may or may not have reached the ` +
        `platform (${error.message}); the next attempt searches for it before submitting again`,
    );
  }
  return new WorkflowError('PlatformRefused', `The platform refused the request: ${error.message}`);
}

interface RecordContext {
  deps: SubmitOnceDeps;
  state: SubmissionStatePort;
  hooks: SubmissionHooks;
  document: SubmittedDocument;
  /** The e-invoice state as this attempt's claim left it. */
  einvoice: EInvoiceState;
  /** The claim this attempt holds. */
  attempts: number;
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

/** The platform refused the deposit: 213 with its reasons, on the document (and wherever the hook puts it). */
async function recordRejection(
  context: RecordContext,
  rejection: { eventId: string; at: string; reasons: readonly LifecycleReason[]; flow?: PlatformFlow },
): Promise<SubmissionResult> {
  const reasons = rejection.reasons.map(
    (reason) => `${(reason.item ?? reason.code) ? `${reason.item ?? reason.code}: ` : ''}${reason.text}`,
  );
  await context.hooks.onRejected?.(reasons);
  const event: LifecycleEvent = {
    eventId: rejection.eventId,
    flowId: rejection.flow?.flowId ?? '',
    document: { trackingId: context.document.id },
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
 * Writes the outcome while this attempt's claim holds. A status recorded on the document meanwhile (a
 * webhook racing the deposit's answer) makes the write fail: read again and merge, a few times. A claim
 * taken over means another attempt owns the outcome (it searches and finds this flow): leave it to it.
 */
async function record(
  context: RecordContext,
  event: LifecycleEvent | undefined,
  outcome: { state: 'submitted' | 'rejected'; flowId?: string; submittedAt?: string },
): Promise<void> {
  const { attempts, state } = context;
  let current: EInvoiceState | undefined = context.einvoice;
  for (let round = 0; round < RECORD_ATTEMPTS; round++) {
    if (current?.submission?.state !== 'submitting' || current.submission.attempts !== attempts) return;
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
    const written = await state.record({ attempts, historyLength: current.history.length, einvoice });
    if (written === 'recorded') return;
    current = await state.read();
    if (!current) return;
  }
  throw new WorkflowError(
    'TransientFailure',
    `The submission of ${context.document.kind.toLowerCase()} ${context.document.id} could not be ` +
      'recorded: its state kept moving',
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
