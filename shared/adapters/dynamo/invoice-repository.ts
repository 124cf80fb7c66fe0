import type { InvoiceRef } from '../../contracts/workflow/workflow.js';
import { invoiceIsEmailed } from '../../core/domain/einvoice-channel.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { paymentStatusOf } from '../../core/domain/payment-status.js';
import { buildSuperseded } from '../../core/ports/billing-state.js';
import type {
  InvoiceStore,
  IssueBatch,
  OpenInvoicesOfAccount,
  StoredPdf,
  SubmissionOutcome,
} from '../../core/ports/invoices.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { claimCheck } from './billing-state-repository.js';
import {
  InvoiceCounterEntity,
  InvoiceEntity,
  InvoiceLookupEntity,
  InvoiceNumberEntity,
  InvoiceToSend,
  invoiceKeyOf,
} from './entities/invoices.js';
import { moveEmailState } from './kit/email-state.js';
import { itemOf, parseItem } from './kit/entity.js';
import {
  conflicted,
  getItem,
  getViaLookup,
  type TransactionItem,
  transactWrite,
  updateIf,
} from './kit/operations.js';
import { type QuerySpec, queryAll, queryPage } from './kit/query.js';
import { submissionStateAt } from './kit/submission-state.js';
import type { TableRef } from './kit/table-ref.js';
import { INDEXES, keys } from './table.js';

/** An invoice item parsed to its record (key and index attributes dropped; an older item still reads). */
export const toInvoiceRecord = (item: Record<string, unknown>): InvoiceRecord =>
  parseItem(InvoiceEntity, item);

/** The invoices waiting for their PDF or email (sparse index: removed once sent or given up). */
const TO_SEND: QuerySpec = { index: INDEXES.invoicesToSend, partition: keys.toSendPartition };

/**
 * Invoices: a draft per account, period, currency and PO group, with its lookup item `INVOICE#<id>`; the
 * issuer's yearly number sequence and the number lookup items; the sparse queues of drafts to number and
 * invoices to send. Every write is conditional, so a retried or rerun step finds its work done and moves on.
 */
export class InvoiceRepository implements InvoiceStore, OpenInvoicesOfAccount {
  constructor(private readonly table: TableRef) {}

  /** Written together, once: a rerun of the same build finds the draft there and keeps the first one. */
  async createDraft(
    record: InvoiceRecord,
    options: { releaseForNumbering: boolean; attempt: string },
  ): Promise<'created' | 'exists'> {
    const key = invoiceKeyOf(record);
    const queue = options.releaseForNumbering
      ? keys.toNumber(record.issuer.entityId, record.createdAt, record.invoiceId)
      : {};
    const absent = 'attribute_not_exists(PK)';
    const outcome = await transactWrite(this.table, [
      {
        label: 'invoice',
        item: { Put: { Item: itemOf(InvoiceEntity, key, record, queue), ConditionExpression: absent } },
      },
      {
        label: 'lookup',
        item: {
          Put: {
            Item: itemOf(InvoiceLookupEntity, keys.invoiceLookup(record.invoiceId), {
              accountId: record.accountId,
              invoiceSk: key.SK,
            }),
            ConditionExpression: absent,
          },
        },
      },
      // Only the build holding the claim writes drafts: one given up would leave a draft behind the run's
      // numbering, for another run to issue on another day.
      { label: 'claim', item: claimCheck(record.accountId, options.attempt) },
    ]);
    if (outcome.ok) return 'created';
    if (outcome.reasons.claim.code === 'ConditionalCheckFailed') throw buildSuperseded(record.accountId);
    if (outcome.reasons.invoice.code === 'ConditionalCheckFailed') return 'exists';
    throw new Error(`The draft ${record.invoiceId} was refused: ${JSON.stringify(outcome.reasons)}`);
  }

  /** By id: the lookup item, then the invoice (both strongly consistent). */
  async get(invoiceId: string): Promise<InvoiceRecord | undefined> {
    const item = await getViaLookup(this.table, keys.invoiceLookup(invoiceId), (lookup) => {
      const { accountId, invoiceSk } = parseItem(InvoiceLookupEntity, lookup);
      return { PK: keys.accountPartition(accountId), SK: invoiceSk };
    });
    return item ? toInvoiceRecord(item) : undefined;
  }

  /** One GetItem at the ref's key, as the delivery steps get it from ListToSend. */
  async getAt(ref: InvoiceRef): Promise<InvoiceRecord | undefined> {
    if (!ref.invoiceSk.startsWith(keys.invoicesPrefix)) return undefined;
    const item = await getItem(this.table, { PK: keys.accountPartition(ref.accountId), SK: ref.invoiceSk });
    return item?.invoiceId === ref.invoiceId ? toInvoiceRecord(item) : undefined;
  }

  listForAccount(accountId: string, page: PageRequest): Promise<Page<InvoiceRecord>> {
    const spec = { partition: keys.accountPartition(accountId), sort: { beginsWith: keys.invoicesPrefix } };
    return queryPage(this.table, spec, page, toInvoiceRecord);
  }

  openForAccount(accountId: string, page: PageRequest): Promise<Page<InvoiceRecord>> {
    const spec = {
      index: INDEXES.openInvoicesOfAccount,
      partition: keys.accountPartition(accountId),
      sort: { between: keys.openInvoicesRange },
    };
    return queryPage(this.table, spec, page, toInvoiceRecord);
  }

  async draftsToNumber(entityId: string, limit: number): Promise<InvoiceRecord[]> {
    const spec = { index: INDEXES.invoicesToNumber, partition: keys.toNumberPartition(entityId) };
    return (await queryPage(this.table, spec, { limit }, toInvoiceRecord)).items;
  }

  async lastNumber(entityId: string, year: string): Promise<number> {
    const counter = await getItem(this.table, keys.invoiceCounter(entityId, year));
    return counter ? parseItem(InvoiceCounterEntity, counter).last : 0;
  }

  async issue(batch: IssueBatch): Promise<'issued' | 'conflict'> {
    const { entityId, year, last, entries, runId, issuedAt } = batch;
    type Label = 'counter' | 'invoice' | 'number' | 'ledger' | 'account' | 'run';
    const items: { label: Label; item: TransactionItem }[] = [
      {
        label: 'counter',
        item: {
          Update: {
            Key: keys.invoiceCounter(entityId, year),
            UpdateExpression: 'SET #last = :next',
            ConditionExpression:
              last === 0 ? 'attribute_not_exists(#last) OR #last = :last' : '#last = :last',
            ExpressionAttributeNames: { '#last': 'last' },
            ExpressionAttributeValues: { ':last': last, ':next': last + entries.length },
          },
        },
      },
    ];
    const exposureByAccount = new Map<string, { unbilled: number; unpaid: number }>();
    for (const entry of entries) {
      const { invoice } = entry;
      const open = invoice.amountDueMinor > 0;
      // An invoice sent through the platform alone has no email: the submission step takes it off the queue.
      const emailed = invoiceIsEmailed(invoice);
      items.push({
        label: 'invoice',
        item: {
          Update: {
            Key: invoiceKeyOf(invoice),
            UpdateExpression:
              'SET #status = :issued, #number = :number, issueDate = :issueDate, dueDate = :dueDate, issuedAt = :issuedAt, ' +
              'latePenalty = :latePenalty, ' +
              (emailed ? 'email = :email, ' : '') +
              'sendPk = :sendPk, sendSk = :sendSk, ' +
              'paymentStatus = :paymentStatus, paidMinor = :zero, balanceMinor = :balance' +
              (open ? ', openPk = :openPk, openSk = :openSk' : '') +
              ' REMOVE numberPk, numberSk',
            ConditionExpression: '#status = :draft AND attribute_exists(numberPk)',
            ExpressionAttributeNames: { '#status': 'status', '#number': 'number' },
            ExpressionAttributeValues: {
              ':issued': 'issued',
              ':draft': 'draft',
              ':number': entry.number,
              ':issueDate': entry.issueDate,
              ':dueDate': entry.dueDate,
              ':issuedAt': issuedAt,
              ':latePenalty': entry.latePenalty,
              ...(emailed ? { ':email': { status: 'ready', recipients: invoice.buyer.billingEmails } } : {}),
              ...valuesOf(keys.toSend(issuedAt, invoice.invoiceId)),
              ':paymentStatus': paymentStatusOf({
                amountDueMinor: invoice.amountDueMinor,
                paidMinor: 0,
                creditedMinor: 0,
                balanceMinor: invoice.amountDueMinor,
              }),
              ':zero': 0,
              ':balance': invoice.amountDueMinor,
              ...(open ? valuesOf(keys.openInvoice(entry.dueDate, invoice.invoiceId)) : {}),
            },
          },
        },
      });
      // The money movement, append-only: the buyer now owes the amount due.
      items.push({
        label: 'ledger',
        item: {
          Put: {
            Item: {
              ...keys.ledger(invoice.accountId, issuedAt, invoice.invoiceId),
              ...keys.ledgerByMonth(issuedAt, invoice.accountId, invoice.invoiceId),
              entity: 'LedgerEntry',
              entryId: invoice.invoiceId,
              accountId: invoice.accountId,
              kind: 'invoice_issued',
              unpaidDeltaMinor: invoice.amountDueMinor,
              currency: invoice.currency,
              invoiceId: invoice.invoiceId,
              at: issuedAt,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      });
      items.push({
        label: 'number',
        item: {
          Put: {
            Item: itemOf(InvoiceNumberEntity, keys.invoiceNumber(entityId, entry.number), {
              invoiceId: invoice.invoiceId,
            }),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      });
      const move = exposureByAccount.get(invoice.accountId) ?? { unbilled: 0, unpaid: 0 };
      move.unbilled += invoice.ordersGrossMinor;
      move.unpaid += invoice.amountDueMinor;
      exposureByAccount.set(invoice.accountId, move);
    }
    for (const [accountId, move] of exposureByAccount) {
      items.push({
        label: 'account',
        item: {
          Update: {
            Key: keys.account(accountId),
            UpdateExpression:
              'SET unbilledMinor = unbilledMinor - :unbilled, unpaidMinor = unpaidMinor + :unpaid, ' +
              'availableCreditMinor = availableCreditMinor + :released',
            ExpressionAttributeValues: {
              ':unbilled': move.unbilled,
              ':unpaid': move.unpaid,
              ':released': move.unbilled - move.unpaid,
            },
          },
        },
      });
    }
    items.push({
      label: 'run',
      item: {
        Update: {
          Key: keys.run(runId),
          UpdateExpression: 'ADD invoicesIssued :n',
          ExpressionAttributeValues: { ':n': entries.length },
        },
      },
    });
    return (await transactWrite(this.table, items)).ok ? 'issued' : 'conflict';
  }

  /** The refs only (a projection): each delivery step reads its invoice with one GetItem. */
  toSend(page: PageRequest): Promise<Page<InvoiceRef>> {
    return queryPage(this.table, { ...TO_SEND, projection: InvoiceToSend.projection }, page, (item) =>
      parseItem(InvoiceToSend, item),
    );
  }

  /** From the to-send queue (a send in flight or interrupted is still in it), every page. */
  async sending(): Promise<InvoiceRecord[]> {
    const found: InvoiceRecord[] = [];
    const spec: QuerySpec = {
      ...TO_SEND,
      filter: {
        expression: 'email.#status = :sending',
        names: { '#status': 'status' },
        values: { ':sending': 'sending' },
      },
    };
    for await (const invoice of queryAll(this.table, spec, toInvoiceRecord)) found.push(invoice);
    return found;
  }

  async recordPdf(invoice: InvoiceRecord, pdf: StoredPdf): Promise<void> {
    await updateIf(this.table, {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: 'SET pdf = :pdf',
      ConditionExpression: 'attribute_not_exists(pdf)',
      ExpressionAttributeValues: { ':pdf': pdf },
    });
  }

  beginSending(invoice: InvoiceRecord, at: string): Promise<boolean> {
    return moveEmailState(
      this.table,
      invoiceKeyOf(invoice),
      'SET email.#status = :sending, email.sendingAt = :at',
      'ready',
      { ':sending': 'sending', ':at': at },
    );
  }

  abandonSending(invoice: InvoiceRecord): Promise<boolean> {
    return moveEmailState(this.table, invoiceKeyOf(invoice), 'SET email.#status = :ready', 'sending', {
      ':ready': 'ready',
    });
  }

  async markSent(invoice: InvoiceRecord, messageId: string, at: string, runId: string): Promise<void> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'invoice',
        item: {
          Update: {
            Key: invoiceKeyOf(invoice),
            UpdateExpression:
              'SET email.#status = :sent, email.messageId = :messageId, email.sentAt = :at, #invoiceStatus = :sentInvoice ' +
              'REMOVE sendPk, sendSk',
            ConditionExpression: 'email.#status = :sending',
            ExpressionAttributeNames: { '#status': 'status', '#invoiceStatus': 'status' },
            ExpressionAttributeValues: {
              ':sent': 'sent',
              ':sending': 'sending',
              ':sentInvoice': 'sent',
              ':messageId': messageId,
              ':at': at,
            },
          },
        },
      },
      {
        label: 'run',
        item: {
          Update: {
            Key: keys.run(runId),
            UpdateExpression: 'ADD invoicesSent :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      },
    ]);
    if (!outcome.ok) {
      throw new Error(
        `Invoice ${invoice.invoiceId} was sent (${messageId}) but not marked sent: ${JSON.stringify(outcome.reasons)}`,
      );
    }
  }

  markDeliveryUnknown(invoice: InvoiceRecord): Promise<boolean> {
    return moveEmailState(
      this.table,
      invoiceKeyOf(invoice),
      'SET email.#status = :unknown REMOVE sendPk, sendSk',
      'sending',
      { ':unknown': 'unknown' },
    );
  }

  /** Conditioned on the attempt count as read: of two claimers, one moves it (the kit's one claim). */
  claimSubmission(
    invoice: InvoiceRecord,
    claim: { from: 'pending' | 'submitting'; attempts: number; at: string },
  ): Promise<boolean> {
    return this.submissionStateOf(invoice).claim(claim);
  }

  releaseSubmission(
    invoice: InvoiceRecord,
    release: { attempts: number; to: 'pending' | 'unresolved' },
  ): Promise<boolean> {
    return this.submissionStateOf(invoice).release(release);
  }

  /** The submission state at the invoice's key, moved as a credit note's is (kit/submission-state.ts). */
  private submissionStateOf(invoice: InvoiceRecord) {
    return submissionStateAt(this.table, invoiceKeyOf(invoice), async () => invoice.einvoice);
  }

  /**
   * The invoice's submission, history and status (not its whole e-invoice state: a collection recorded
   * meanwhile stays), and the run's counters, in one transaction.
   */
  async recordSubmission(invoice: InvoiceRecord, outcome: SubmissionOutcome): Promise<'recorded' | 'moved'> {
    const { einvoice } = outcome;
    const sets = ['einvoice.submission = :submission', 'einvoice.history = :history'];
    const values: Record<string, unknown> = {
      ':submission': einvoice.submission,
      ':history': einvoice.history,
      ':submitting': 'submitting',
      ':attempts': outcome.attempts,
      ':historyLength': outcome.historyLength,
    };
    if (einvoice.status) {
      sets.push(
        'einvoice.#lifecycle = :lifecycle, einvoice.statusLabel = :label, einvoice.statusAt = :statusAt',
      );
      Object.assign(values, {
        ':lifecycle': einvoice.status,
        ':label': einvoice.statusLabel,
        ':statusAt': einvoice.statusAt,
      });
    }
    if (outcome.delivered) {
      sets.push('#status = :sent');
      values[':sent'] = 'sent';
    }
    const outcomeOfRun = await transactWrite(this.table, [
      {
        label: 'invoice',
        item: {
          Update: {
            Key: invoiceKeyOf(invoice),
            UpdateExpression: `SET ${sets.join(', ')}${outcome.leavesQueue ? ' REMOVE sendPk, sendSk' : ''}`,
            ConditionExpression:
              'einvoice.submission.#state = :submitting AND einvoice.submission.attempts = :attempts ' +
              'AND size(einvoice.history) = :historyLength',
            ExpressionAttributeNames: {
              '#state': 'state',
              ...(einvoice.status ? { '#lifecycle': 'status' } : {}),
              ...(outcome.delivered ? { '#status': 'status' } : {}),
            },
            ExpressionAttributeValues: values,
          },
        },
      },
      {
        label: 'run',
        item: {
          Update: {
            Key: keys.run(outcome.runId),
            UpdateExpression: outcome.delivered
              ? 'ADD #counter :one, invoicesSent :one'
              : 'ADD #counter :one',
            ExpressionAttributeNames: { '#counter': outcome.counter },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      },
    ]);
    if (outcomeOfRun.ok) return 'recorded';
    // Moved under us (or racing a status recorded now): the use case reads the invoice again and decides.
    if (outcomeOfRun.reasons.invoice.code === 'ConditionalCheckFailed' || conflicted(outcomeOfRun.reasons)) {
      return 'moved';
    }
    throw new Error(
      `The submission of invoice ${invoice.invoiceId} could not be recorded: ${JSON.stringify(outcomeOfRun.reasons)}`,
    );
  }

  async setHeld(invoice: InvoiceRecord, held: boolean): Promise<boolean> {
    const moved = await updateIf(this.table, {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: held
        ? 'SET #status = :held REMOVE numberPk, numberSk'
        : 'SET #status = :draft, numberPk = :numberPk, numberSk = :numberSk',
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: held
        ? { ':held': 'held', ':from': 'draft' }
        : {
            ':draft': 'draft',
            ':from': 'held',
            ...valuesOf(keys.toNumber(invoice.issuer.entityId, invoice.createdAt, invoice.invoiceId)),
          },
    });
    return moved !== undefined;
  }
}

/** Index key attributes as expression values of the same names (`:sendPk`, `:sendSk`…). */
function valuesOf(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value]));
}
