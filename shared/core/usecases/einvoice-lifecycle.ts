import type { EInvoiceStatusChange } from '../../contracts/events/accounting.js';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { PlatformCallbackAnswer } from '../../contracts/schemas/einvoice-callbacks.js';
import {
  collectionAmountsByRate,
  collectionSequence,
  type EInvoiceCollection,
} from '../domain/einvoice-collection.js';
import {
  currentLifecycleStatus,
  entryLabel,
  type LifecycleEvent,
  type LifecycleHistoryEntry,
  recordLifecycleEvent,
} from '../domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import { DomainError } from '../errors.js';
import { type ApprovedPlatform, type PlatformCallback, PlatformFailure } from '../ports/approved-platform.js';
import type { Clock } from '../ports/clock.js';
import type {
  EInvoiceLifecycleStore,
  LifecycleWrite,
  StoredLifecycleEntry,
} from '../ports/einvoice-lifecycle.js';

/*
 * The statuses our e-invoices come back with (the platform's webhook, and a poll as a safety net), recorded
 * on the invoice and published once each; and the "Encaissée" (212) the seller owes when a payment settles
 * an invoice whose VAT is due on receipt, sent at most once.
 */

export interface EInvoiceLifecycleDeps {
  lifecycle: EInvoiceLifecycleStore;
  clock: Clock;
}

export interface PlatformSyncDeps extends EInvoiceLifecycleDeps {
  platform: ApprovedPlatform;
}

/** What recording a batch of events did. */
export interface RecordedEvents {
  /** Entries new to an invoice's history (one accounting event each). */
  recorded: number;
  /** Events already in the history (a redelivered webhook, the poll seeing what the webhook brought). */
  duplicates: number;
  /** Events about no document of ours (another issuer's number, a flow we do not know). */
  unknown: LifecycleEvent[];
  /** Our invoices the events were about. */
  invoiceIds: string[];
  /** Our credit notes the events were about (found by tracking id). */
  creditNoteIds: string[];
}

/** A write holds at most this many new entries (a TransactWriteItems takes 100 items, one is the invoice). */
const ENTRIES_PER_WRITE = 50;
/** Optimistic writes lost in a row before giving up (each loss means another writer made progress). */
const MAX_ATTEMPTS = 8;

/**
 * Records lifecycle events on our invoices: each finds its invoice by tracking id (our invoice id), else by
 * number; its history gains the entries it lacks (an event recorded before, by the webhook or the poll, is
 * harmless), its status becomes the latest by date, and each new entry is published once (the outbox item
 * written with it). Conditioned on the history as read: a webhook and the poll racing never lose an entry.
 */
export async function recordLifecycleEvents(
  deps: EInvoiceLifecycleDeps,
  events: readonly LifecycleEvent[],
): Promise<RecordedEvents> {
  const groups = new Map<string, { invoice: InvoiceRecord; events: LifecycleEvent[] }>();
  const creditNotes = new Map<string, { creditNote: CreditNote; events: LifecycleEvent[] }>();
  const unknown: LifecycleEvent[] = [];
  const found = new Map<string, InvoiceRecord | undefined>();
  for (const event of events) {
    const ref = `${event.document.trackingId ?? ''}#${event.document.number ?? ''}#${event.document.issueDate ?? ''}`;
    if (!found.has(ref)) found.set(ref, await deps.lifecycle.findInvoice(event.document));
    const invoice = found.get(ref);
    if (!invoice) {
      // A credit note is deposited with its id as tracking id (credit-note-delivery).
      const trackingId = event.document.trackingId;
      const creditNote = trackingId?.startsWith('cn_')
        ? (creditNotes.get(trackingId)?.creditNote ?? (await deps.lifecycle.getCreditNote(trackingId)))
        : undefined;
      if (!creditNote) {
        unknown.push(event);
        continue;
      }
      const group = creditNotes.get(creditNote.creditNoteId) ?? { creditNote, events: [] };
      group.events.push(event);
      creditNotes.set(creditNote.creditNoteId, group);
      continue;
    }
    const group = groups.get(invoice.invoiceId) ?? { invoice, events: [] };
    group.events.push(event);
    groups.set(invoice.invoiceId, group);
  }
  let recorded = 0;
  let duplicates = 0;
  for (const { invoice, events: ofInvoice } of groups.values()) {
    for (let start = 0; start < ofInvoice.length; start += ENTRIES_PER_WRITE) {
      const outcome = await recordOnInvoice(deps, invoice, ofInvoice.slice(start, start + ENTRIES_PER_WRITE));
      recorded += outcome.recorded;
      duplicates += outcome.duplicates;
    }
  }
  for (const { creditNote, events: ofCreditNote } of creditNotes.values()) {
    const outcome = await recordOnCreditNote(deps, creditNote, ofCreditNote);
    recorded += outcome.recorded;
    duplicates += outcome.duplicates;
  }
  return {
    recorded,
    duplicates,
    unknown,
    invoiceIds: [...groups.keys()],
    creditNoteIds: [...creditNotes.keys()],
  };
}

/**
 * The invoice's rule for a credit note: the entries it lacks, the latest status, and one accounting event
 * per new entry (naming the credit note and the invoice it corrects).
 */
async function recordOnCreditNote(
  deps: EInvoiceLifecycleDeps,
  creditNote: CreditNote,
  events: readonly LifecycleEvent[],
): Promise<{ recorded: number; duplicates: number }> {
  let current = creditNote;
  for (let attempt = 1; ; attempt++) {
    const write = lifecycleWriteOf(subjectOfCreditNote(current), events, deps.clock.now().toISOString());
    if (!write) return { recorded: 0, duplicates: events.length };
    if ((await deps.lifecycle.recordCreditNoteStatuses(current, write)) === 'recorded') {
      return { recorded: write.changes.length, duplicates: events.length - write.changes.length };
    }
    const reread = await deps.lifecycle.getCreditNote(creditNote.creditNoteId);
    if (attempt >= MAX_ATTEMPTS || !reread) {
      throw new Error(
        `The history of credit note ${creditNote.creditNoteId} kept changing: ${attempt} writes lost`,
      );
    }
    current = reread;
  }
}

async function recordOnInvoice(
  deps: EInvoiceLifecycleDeps,
  invoice: InvoiceRecord,
  events: readonly LifecycleEvent[],
): Promise<{ recorded: number; duplicates: number }> {
  let current = invoice;
  for (let attempt = 1; ; attempt++) {
    const write = lifecycleWriteOf(subjectOfInvoice(current), events, deps.clock.now().toISOString());
    if (!write) return { recorded: 0, duplicates: events.length };
    if ((await deps.lifecycle.recordStatuses(current, write)) === 'recorded') {
      return { recorded: write.changes.length, duplicates: events.length - write.changes.length };
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`The history of invoice ${invoice.invoiceId} kept changing: ${attempt} writes lost`);
    }
    const reread = await deps.lifecycle.getInvoice(invoice.invoiceId);
    if (!reread) throw new Error(`Invoice ${invoice.invoiceId} disappeared while its statuses were recorded`);
    current = reread;
  }
}

/** The document a status is recorded on, as its history and its accounting events name it. */
export interface LifecycleSubject {
  history: readonly LifecycleHistoryEntry[];
  accountId: string;
  /** The invoice, or the invoice a credit note corrects. */
  invoiceId: string;
  invoiceNumber?: string | undefined;
  creditNoteId?: string;
  creditNoteNumber?: string;
}

export const subjectOfInvoice = (invoice: InvoiceRecord): LifecycleSubject => ({
  history: invoice.einvoice?.history ?? [],
  accountId: invoice.accountId,
  invoiceId: invoice.invoiceId,
  invoiceNumber: invoice.number,
});

const subjectOfCreditNote = (creditNote: CreditNote): LifecycleSubject => ({
  history: (creditNote.einvoice?.history ?? []) as readonly LifecycleHistoryEntry[],
  accountId: creditNote.accountId,
  invoiceId: creditNote.invoiceId,
  invoiceNumber: creditNote.invoiceNumber,
  creditNoteId: creditNote.creditNoteId,
  creditNoteNumber: creditNote.number,
});

/**
 * What recording `events` on an invoice or a credit note writes: the history with the entries it lacks (by
 * event id, in date order), the latest status, and one outbox change per new entry; undefined when nothing
 * is new.
 */
export function lifecycleWriteOf(
  subject: LifecycleSubject,
  events: readonly LifecycleEvent[],
  recordedAt: string,
): LifecycleWrite | undefined {
  let history: readonly LifecycleHistoryEntry[] = subject.history;
  const changes: EInvoiceStatusChange[] = [];
  for (const event of events) {
    const next = recordLifecycleEvent(history, event);
    if (next === history) continue;
    history = next;
    changes.push({
      eventId: event.eventId,
      accountId: subject.accountId,
      invoiceId: subject.invoiceId,
      ...(subject.invoiceNumber ? { invoiceNumber: subject.invoiceNumber } : {}),
      ...(subject.creditNoteId ? { creditNoteId: subject.creditNoteId } : {}),
      ...(subject.creditNoteNumber ? { creditNoteNumber: subject.creditNoteNumber } : {}),
      flowId: event.flowId,
      status: event.status,
      statusLabel: entryLabel(event, 'en'),
      at: event.at,
      reasons: event.reasons.map((reason) => ({ ...reason })),
      ...(event.amounts ? { amounts: event.amounts.map((amount) => ({ ...amount })) } : {}),
      recordedAt,
    });
  }
  const latest = history.at(-1);
  const status = currentLifecycleStatus(history);
  if (changes.length === 0 || !latest || !status) return undefined;
  return {
    history: history.map(storedEntryOf),
    status,
    statusLabel: entryLabel(latest, 'en'),
    statusAt: latest.at,
    changes,
  };
}

/** A history entry as the invoice keeps and shows it: with its English label. */
function storedEntryOf(entry: LifecycleHistoryEntry | StoredLifecycleEntry): StoredLifecycleEntry {
  return {
    eventId: entry.eventId,
    status: entry.status,
    label: entryLabel(entry, 'en'),
    at: entry.at,
    reasons: entry.reasons.map((reason) => ({ ...reason })),
    ...(entry.amounts ? { amounts: entry.amounts.map((amount) => ({ ...amount })) } : {}),
  };
}

/**
 * The platform's webhook: the call is checked (signature, freshness) before anything, the flow it names is
 * read back from the platform, and its statuses are recorded. A call that is not the platform's is refused
 * (401) and changes nothing; a flow the platform does not know, or whose statuses are about none of our
 * documents, is a 404 and changes nothing.
 */
export async function receivePlatformCallback(
  deps: PlatformSyncDeps,
  callback: PlatformCallback,
): Promise<PlatformCallbackAnswer> {
  const outcome = await deps.platform.readCallback(callback, deps.clock.now());
  if (outcome.kind === 'refused') {
    if (outcome.reason === 'malformed') {
      throw new DomainError(
        'callback_malformed',
        400,
        'Bad request',
        'The callback is signed but its body is not a flow notification the platform sends.',
        [{ field: '(body)', reason: 'is not a flow notification ({"flowInfo": {"flowId": …}})' }],
      );
    }
    throw new DomainError(
      'callback_not_authenticated',
      401,
      'Unauthorized',
      'The callback is not signed by the approved platform, or not recently: it was ignored.',
      [{ field: 'webhook-signature', reason: CALLBACK_REFUSALS[outcome.reason] }],
    );
  }
  if (outcome.kind === 'unknown_flow') {
    throw new DomainError(
      'flow_not_found',
      404,
      'Not found',
      `The platform knows no flow ${outcome.flowId}: nothing was recorded.`,
      [{ field: 'flowInfo.flowId', reason: 'is not a flow of the approved platform' }],
    );
  }
  const recorded = await recordLifecycleEvents(deps, outcome.events);
  if (outcome.events.length > 0 && recorded.invoiceIds.length + recorded.creditNoteIds.length === 0) {
    throw new DomainError(
      'document_not_found',
      404,
      'Not found',
      `Flow ${outcome.flowId} is about no invoice of ours: nothing was recorded.`,
      [{ field: 'flowInfo.flowId', reason: 'names a document this product did not issue' }],
    );
  }
  return {
    flowId: outcome.flowId,
    recorded: recorded.recorded,
    duplicates: recorded.duplicates,
    invoiceIds: recorded.invoiceIds,
  };
}

const CALLBACK_REFUSALS = {
  unsigned: 'is missing (webhook-id, webhook-timestamp and webhook-signature are required)',
  bad_signature: 'does not match the body under our webhook key',
  stale: 'is dated too far from now (webhook-timestamp): a replay is refused',
} as const;

/** What one poll of the platform did. */
export interface SyncSummary {
  pages: number;
  events: number;
  recorded: number;
  duplicates: number;
  /** Events about documents that are not ours. */
  unknown: number;
  /** Flows whose lifecycle message the platform's answer could not be read (each reported once). */
  skipped: { flowId: string; reason: string }[];
  /** Why the poll stopped before the platform had nothing more: out of time, or another poller moved on. */
  stoppedEarly?: 'time' | 'cursor_moved';
}

/**
 * The safety net under the webhook: reads the platform's updates from the stored cursor, a page at a time,
 * records their events and saves the cursor after each page (a conditional write: two polls never move it
 * back), until the platform has no more or `hasTime` says the invocation's budget is spent.
 */
export async function syncPlatformUpdates(
  deps: PlatformSyncDeps,
  options: {
    /** The poller's name (one cursor each). */
    cursorName: string;
    /** Where a poller with no cursor yet starts (ISO 8601). */
    initialSince: string;
    hasTime: () => boolean;
  },
): Promise<SyncSummary> {
  const summary: SyncSummary = { pages: 0, events: 0, recorded: 0, duplicates: 0, unknown: 0, skipped: [] };
  let saved = await deps.lifecycle.readCursor(options.cursorName);
  for (;;) {
    if (!options.hasTime()) return { ...summary, stoppedEarly: 'time' };
    const page = await deps.platform.listUpdates(
      saved ? { cursor: saved.cursor } : { since: options.initialSince },
    );
    summary.pages += 1;
    summary.events += page.events.length;
    summary.skipped.push(...(page.skipped ?? []));
    const outcome = await recordLifecycleEvents(deps, page.events);
    summary.recorded += outcome.recorded;
    summary.duplicates += outcome.duplicates;
    summary.unknown += outcome.unknown.length;
    const at = deps.clock.now().toISOString();
    if (!(await deps.lifecycle.saveCursor(options.cursorName, page.cursor, saved, at))) {
      // Another poll saved first: it has read at least this far (what we recorded is harmless twice).
      return { ...summary, stoppedEarly: 'cursor_moved' };
    }
    saved = { cursor: page.cursor, version: (saved?.version ?? 0) + 1, savedAt: at };
    if (!page.more) return summary;
  }
}

/** What one pass over the collections to send did. */
export interface CollectionsSummary {
  sent: number;
  /** The platform refused or was unavailable: back to `due`, sent by a later poll. */
  retryLater: number;
  /** The outcome is unknown: left `sending`, looked up at the platform before it is ever sent again. */
  unknownOutcome: number;
}

/**
 * The tracking id of an invoice's n-th "Encaissée" message: `<invoiceId>-212` for the first (as stored
 * before corrections existed), `<invoiceId>-212-<n>` for a correction and the ones after, so a search finds
 * each.
 */
export const collectionTrackingId = (invoiceId: string, sequence = 1) =>
  sequence === 1 ? `${invoiceId}-212` : `${invoiceId}-212-${sequence}`;

/**
 * Sends the "Encaissée" (212) of every invoice whose collection is due, at most once each: the collection
 * moves `due → sending` by a conditional write before the platform is called, and `sending → sent` after,
 * with the 212 entry in the invoice's history. A send whose outcome is unknown stays `sending`; once its
 * claim is older than `staleClaimMs`, the platform is searched for its tracking id before it is sent again.
 * A correction (a payment reversed after its 212 went) is a 212 with negative amounts, its own message.
 */
export async function sendDueCollections(
  deps: PlatformSyncDeps,
  options: { limit: number; staleClaimMs: number; hasTime: () => boolean },
): Promise<CollectionsSummary> {
  const summary: CollectionsSummary = { sent: 0, retryLater: 0, unknownOutcome: 0 };
  for (const { invoice, claimedAt } of await deps.lifecycle.collectionsToSend(options.limit)) {
    if (!options.hasTime()) break;
    const collection = invoice.einvoice?.collection;
    if (!collection || collection.state === 'sent') continue;
    const now = deps.clock.now();
    const trackingId = collectionTrackingId(invoice.invoiceId, collectionSequence(collection));
    if (collection.state === 'sending') {
      // Claimed by a send still running, or by one that died: only the latter is taken over.
      if (!claimedAt || now.getTime() - Date.parse(claimedAt) < options.staleClaimMs) continue;
      const earlier = await deps.platform.findByTrackingId(trackingId).catch(() => undefined);
      if (earlier === undefined) continue;
      const flow = earlier[0];
      if (flow) {
        await recordCollectionSent(deps, invoice, collection, flow.flowId, flow.submittedAt);
        summary.sent += 1;
        continue;
      }
      if (!(await deps.lifecycle.claimCollection(invoice, now.toISOString(), claimedAt))) continue;
    } else if (!(await deps.lifecycle.claimCollection(invoice, now.toISOString()))) {
      continue;
    }
    const amounts = collectionAmountsByRate(invoice.vatBreakdown, collection);
    try {
      const flow = await deps.platform.sendStatus({
        code: '212',
        trackingId,
        collectedOn: collection.collectedOn,
        amounts,
        document: {
          number: invoice.number ?? invoice.invoiceId,
          issueDate: invoice.issueDate ?? collection.collectedOn,
          typeCode: '380',
          sellerSiren: invoice.issuer.siren,
          buyerSiren: invoice.buyer.siren ?? '',
        },
      });
      await recordCollectionSent(deps, invoice, collection, flow.flowId, deps.clock.now().toISOString());
      summary.sent += 1;
    } catch (error) {
      if (error instanceof PlatformFailure && error.kind !== 'ambiguous') {
        // Nothing was taken: give it back to the queue, a later poll sends it (once).
        await deps.lifecycle.releaseCollection(invoice);
        summary.retryLater += 1;
      } else {
        summary.unknownOutcome += 1;
      }
    }
  }
  return summary;
}

/**
 * The 212 entry in the history (published once like any status; a correction's amounts are negative),
 * then the collection `sent`, or the next message due when a movement left something owed behind it.
 */
async function recordCollectionSent(
  deps: PlatformSyncDeps,
  invoice: InvoiceRecord,
  collection: EInvoiceCollection,
  flowId: string,
  at: string,
): Promise<void> {
  await recordLifecycleEvents(deps, [
    {
      eventId: collectionTrackingId(invoice.invoiceId, collectionSequence(collection)),
      flowId,
      document: { trackingId: invoice.invoiceId },
      status: '212',
      at,
      reasons: [],
      amounts: collectionAmountsByRate(invoice.vatBreakdown, collection),
    },
  ]);
  await deps.lifecycle.completeCollection(invoice, at);
}
