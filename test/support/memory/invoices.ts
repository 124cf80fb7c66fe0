import { keys } from '../../../shared/adapters/dynamo/table.js';
import type { InvoiceRef } from '../../../shared/contracts/workflow/workflow.js';
import { invoiceIsEmailed } from '../../../shared/core/domain/einvoice-channel.js';
import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import { paymentStatusOf } from '../../../shared/core/domain/payment-status.js';
import { buildSuperseded } from '../../../shared/core/ports/billing-state.js';
import type {
  InvoiceStore,
  IssueBatch,
  StoredPdf,
  SubmissionOutcome,
} from '../../../shared/core/ports/invoices.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import { allOf, pageOf } from './paging.js';
import { copy, type MemoryStore, type StoredInvoice } from './store.js';

/**
 * Where an invoice is in its account, as the workflow's `InvoiceRef` carries it. The same string as the
 * DynamoDB tier's sort key, so a ref a test builds (test/support/billing-steps.ts `invoiceRef`) finds the
 * invoice on both tiers.
 */
export function invoiceSkOf(invoice: InvoiceRecord): string {
  return keys.invoice(invoice.accountId, invoice.orderRange.from, invoice.currency, invoice.purchaseOrderKey)
    .SK;
}

const placeOf = (accountId: string, invoiceSk: string) => `${accountId}|${invoiceSk}`;

/**
 * Invoices in memory, with the contract of InvoiceRepository: one draft per account, period, currency and
 * PO group, written only while the build holds its claim; numbering in one step conditioned on the counter
 * as read and on each draft still waiting; the email state moved only from the state expected.
 */
export class MemoryInvoiceStore implements InvoiceStore {
  constructor(private readonly store: MemoryStore) {}

  async createDraft(
    record: InvoiceRecord,
    options: { releaseForNumbering: boolean; attempt: string },
  ): Promise<'created' | 'exists'> {
    if (this.store.account(record.accountId)?.attempt !== options.attempt) {
      throw buildSuperseded(record.accountId);
    }
    const place = placeOf(record.accountId, invoiceSkOf(record));
    if (this.store.invoiceAt.has(place)) return 'exists';
    if (this.store.invoices.has(record.invoiceId)) throw new Error(`The draft ${record.invoiceId} exists`);
    this.store.invoiceAt.set(place, record.invoiceId);
    this.store.invoices.set(record.invoiceId, {
      record: copy(record),
      ...(options.releaseForNumbering ? { toNumber: `${record.createdAt}#${record.invoiceId}` } : {}),
    });
    return 'created';
  }

  async get(invoiceId: string): Promise<InvoiceRecord | undefined> {
    const invoice = this.store.invoices.get(invoiceId);
    return invoice && copy(invoice.record);
  }

  async getAt(ref: InvoiceRef): Promise<InvoiceRecord | undefined> {
    const invoiceId = this.store.invoiceAt.get(placeOf(ref.accountId, ref.invoiceSk));
    return invoiceId === ref.invoiceId ? this.get(invoiceId) : undefined;
  }

  async listForAccount(accountId: string, page: PageRequest): Promise<Page<InvoiceRecord>> {
    const entries = [...this.store.invoices.values()]
      .filter(({ record }) => record.accountId === accountId)
      .map(({ record }) => ({ key: invoiceSkOf(record), value: record }));
    return pageOf(`invoices#${accountId}`, entries, page);
  }

  async draftsToNumber(entityId: string, limit: number): Promise<InvoiceRecord[]> {
    const entries = [...this.store.invoices.values()].flatMap(({ record, toNumber }) =>
      toNumber && record.issuer.entityId === entityId ? [{ key: toNumber, value: record }] : [],
    );
    return pageOf(`to-number#${entityId}`, entries, { limit }).items;
  }

  async lastNumber(entityId: string, year: string): Promise<number> {
    return this.store.invoiceCounters.get(`${entityId}#${year}`) ?? 0;
  }

  async issue(batch: IssueBatch): Promise<'issued' | 'conflict'> {
    const { entityId, year, last, entries, runId, issuedAt } = batch;
    const counter = `${entityId}#${year}`;
    // Every condition first, then every write: all or nothing.
    const drafts = entries.map((entry) => this.store.invoices.get(entry.invoice.invoiceId));
    const holds =
      (this.store.invoiceCounters.get(counter) ?? 0) === last &&
      drafts.every((draft) => draft?.record.status === 'draft' && draft.toNumber !== undefined) &&
      entries.every((entry) => !this.store.invoiceNumbers.has(`${entityId}#${entry.number}`));
    if (!holds) return 'conflict';
    this.store.invoiceCounters.set(counter, last + entries.length);
    for (const [index, entry] of entries.entries()) {
      const stored = drafts[index] as StoredInvoice;
      const { record } = stored;
      const amountDue = record.amountDueMinor;
      Object.assign(record, {
        status: 'issued',
        number: entry.number,
        issueDate: entry.issueDate,
        dueDate: entry.dueDate,
        issuedAt,
        latePenalty: copy(entry.latePenalty),
        ...(invoiceIsEmailed(record)
          ? { email: { status: 'ready' as const, recipients: [...record.buyer.billingEmails] } }
          : {}),
        paymentStatus: paymentStatusOf({
          amountDueMinor: amountDue,
          paidMinor: 0,
          creditedMinor: 0,
          balanceMinor: amountDue,
        }),
        paidMinor: 0,
        balanceMinor: amountDue,
      } satisfies Partial<InvoiceRecord>);
      delete stored.toNumber;
      stored.toSend = `${issuedAt}#${record.invoiceId}`;
      if (amountDue > 0) stored.open = `${entry.dueDate}#${record.invoiceId}`;
      this.store.invoiceNumbers.set(`${entityId}#${entry.number}`, record.invoiceId);
      // The money movement, append-only: the buyer now owes the amount due.
      this.store.ledger.push({
        entryId: record.invoiceId,
        accountId: record.accountId,
        kind: 'invoice_issued',
        unpaidDeltaMinor: amountDue,
        currency: record.currency,
        invoiceId: record.invoiceId,
        at: issuedAt,
      });
      // Exposure moves from unbilled orders to unpaid invoices.
      const account = this.store.account(record.accountId)?.record;
      if (account) {
        this.store.moveExposure(account, {
          unbilled: -record.ordersGrossMinor,
          unpaid: amountDue,
          available: record.ordersGrossMinor - amountDue,
        });
      }
    }
    const run = this.store.runs.get(runId);
    if (run) run.invoicesIssued += entries.length;
    return 'issued';
  }

  async toSend(page: PageRequest): Promise<Page<InvoiceRef>> {
    const entries = [...this.store.invoices.values()].flatMap(({ record, toSend }) =>
      toSend
        ? [
            {
              key: toSend,
              value: {
                invoiceId: record.invoiceId,
                accountId: record.accountId,
                invoiceSk: invoiceSkOf(record),
              },
            },
          ]
        : [],
    );
    return pageOf('to-send', entries, page);
  }

  async sending(): Promise<InvoiceRecord[]> {
    const entries = [...this.store.invoices.values()].flatMap(({ record, toSend }) =>
      toSend && record.email?.status === 'sending' ? [{ key: toSend, value: record }] : [],
    );
    return allOf(entries);
  }

  async recordPdf(invoice: InvoiceRecord, pdf: StoredPdf): Promise<void> {
    const stored = this.stored(invoice);
    if (stored && !stored.record.pdf) stored.record.pdf = copy(pdf);
  }

  async beginSending(invoice: InvoiceRecord, at: string): Promise<boolean> {
    const email = this.emailOf(invoice, 'ready');
    if (!email) return false;
    email.status = 'sending';
    email.sendingAt = at;
    return true;
  }

  async abandonSending(invoice: InvoiceRecord): Promise<boolean> {
    const email = this.emailOf(invoice, 'sending');
    if (!email) return false;
    email.status = 'ready';
    return true;
  }

  async markSent(invoice: InvoiceRecord, messageId: string, at: string, runId: string): Promise<void> {
    const stored = this.stored(invoice);
    const email = this.emailOf(invoice, 'sending');
    if (!stored || !email) {
      throw new Error(`Invoice ${invoice.invoiceId} was sent (${messageId}) but not marked sent`);
    }
    Object.assign(email, { status: 'sent', messageId, sentAt: at });
    stored.record.status = 'sent';
    delete stored.toSend;
    const run = this.store.runs.get(runId);
    if (run) run.invoicesSent += 1;
  }

  async markDeliveryUnknown(invoice: InvoiceRecord): Promise<boolean> {
    const stored = this.stored(invoice);
    const email = this.emailOf(invoice, 'sending');
    if (!stored || !email) return false;
    email.status = 'unknown';
    delete stored.toSend;
    return true;
  }

  async claimSubmission(
    invoice: InvoiceRecord,
    claim: { from: 'pending' | 'submitting'; attempts: number; at: string },
  ): Promise<boolean> {
    const submission = this.stored(invoice)?.record.einvoice?.submission;
    if (submission?.state !== claim.from || submission.attempts !== claim.attempts) return false;
    Object.assign(submission, { state: 'submitting', attempts: claim.attempts + 1, claimedAt: claim.at });
    return true;
  }

  async releaseSubmission(
    invoice: InvoiceRecord,
    release: { attempts: number; to: 'pending' | 'unresolved' },
  ): Promise<boolean> {
    const submission = this.stored(invoice)?.record.einvoice?.submission;
    if (submission?.state !== 'submitting' || submission.attempts !== release.attempts) return false;
    if (release.to === 'pending') submission.state = 'pending';
    delete submission.claimedAt;
    return true;
  }

  async recordSubmission(invoice: InvoiceRecord, outcome: SubmissionOutcome): Promise<'recorded' | 'moved'> {
    const stored = this.stored(invoice);
    const current = stored?.record.einvoice;
    if (
      !stored ||
      current?.submission?.state !== 'submitting' ||
      current.submission.attempts !== outcome.attempts ||
      current.history.length !== outcome.historyLength
    ) {
      return 'moved';
    }
    const { submission, history, status, statusLabel, statusAt } = copy(outcome.einvoice);
    Object.assign(current, {
      submission,
      history,
      ...(status ? { status, statusLabel, statusAt } : {}),
    });
    if (outcome.delivered) stored.record.status = 'sent';
    if (outcome.leavesQueue) delete stored.toSend;
    const run = this.store.runs.get(outcome.runId);
    if (run) {
      run[outcome.counter] += 1;
      if (outcome.delivered) run.invoicesSent += 1;
    }
    return 'recorded';
  }

  async setHeld(invoice: InvoiceRecord, held: boolean): Promise<boolean> {
    const stored = this.stored(invoice);
    if (stored?.record.status !== (held ? 'draft' : 'held')) return false;
    stored.record.status = held ? 'held' : 'draft';
    if (held) delete stored.toNumber;
    else stored.toNumber = `${stored.record.createdAt}#${stored.record.invoiceId}`;
    return true;
  }

  /** The invoice stored where this record's item is (its place, as the other tier keys it). */
  private stored(invoice: InvoiceRecord): StoredInvoice | undefined {
    const invoiceId = this.store.invoiceAt.get(placeOf(invoice.accountId, invoiceSkOf(invoice)));
    return invoiceId === undefined ? undefined : this.store.invoices.get(invoiceId);
  }

  /** The stored invoice's email state, when it is `from`. */
  private emailOf(invoice: InvoiceRecord, from: string) {
    const email = this.stored(invoice)?.record.email;
    return email?.status === from ? email : undefined;
  }
}
