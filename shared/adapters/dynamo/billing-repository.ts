import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BillingRun, Invoice } from '../../contracts/schemas/invoice.js';
import type { InvoiceRef } from '../../contracts/workflow/workflow.js';
import type { AccountRecord } from '../../core/domain/accounts.js';
import { type InvoiceRecord, invoiceView } from '../../core/domain/invoices.js';
import type { LatePenalty } from '../../core/domain/late-penalty.js';
import { paymentStatusOf } from '../../core/domain/payment-status.js';
import { addLocalDays, BILLING_DATE_RANGE } from '../../core/domain/periods.js';
import { toAccount } from './account-repository.js';
import { readCounter } from './counter.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { moveEmailState } from './kit/email-state.js';
import { INDEXES, keys } from './table.js';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const INTERNAL = [
  'PK',
  'SK',
  'entity',
  'numberPk',
  'numberSk',
  'sendPk',
  'sendSk',
  'openPk',
  'openSk',
] as const;

/** An invoice item as its record (the key and index attributes dropped). */
export function toInvoiceRecord(item: Record<string, unknown>): InvoiceRecord {
  const copy: Record<string, unknown> = { ...item };
  for (const attribute of INTERNAL) delete copy[attribute];
  return copy as unknown as InvoiceRecord;
}

/** A number to give: the draft, the account's exposure move. */
export interface NumberingEntry {
  invoice: InvoiceRecord;
  number: string;
  issueDate: string;
  dueDate: string;
  /** The late-payment penalty resolved for the issue date's half-year, stored with the number. */
  latePenalty: LatePenalty;
}

/**
 * A build's write refused because its claim on the account is gone: the run gave the build up (it timed out
 * and was recorded failed) or a newer build of the account took over. Its writes must not land late.
 */
export class BuildSuperseded extends Error {
  constructor(accountId: string) {
    super(
      `The build of account ${accountId} was given up or taken over by another build: it stopped writing`,
    );
    this.name = 'BuildSuperseded';
  }
}

/** The attribute of the account item naming the build allowed to write (`<runId>#<ulid>`). */
const BUILD_ATTEMPT = 'buildAttempt';

/**
 * The billing run's storage: accounts' billing state, invoices, the invoice number sequence, and runs.
 * Every step is a conditional write, so a retried or rerun step finds its work done and moves on.
 */
export class BillingRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ── accounts ────────────────────────────────────────────────────────────────────────────────

  /**
   * Accounts whose oldest open period's last day is on or before the cut-off (a Query on the due index).
   * The index holds the next period's start (`dueSk = <next period start>#<accountId>`), so the bound is the
   * day after the cut-off: `<cutOff + 1 day>#~` is after every `<cutOff + 1 day>#acc_…`. The lower bound
   * keeps malformed keys of old data out (`10000-01-01#…` sorts before `2020-…`): every date stored since
   * is in BILLING_DATE_RANGE.
   */
  async accountsDue(
    cutOff: string,
    page: { limit: number; cursor: string | null },
  ): Promise<{ accountIds: string[]; cursor: string | null }> {
    const index = INDEXES.accountsByBillingDue;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :due AND #sk BETWEEN :first AND :bound',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: {
          ':due': 'DUE',
          ':first': BILLING_DATE_RANGE.first,
          ':bound': `${addLocalDays(cutOff, 1)}#~`,
        },
        ProjectionExpression: 'accountId',
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor ?? undefined, {
          [index.partitionKey]: (value) => value === 'DUE',
          [index.sortKey]: () => true,
          PK: (value) => value.startsWith('ACCOUNT#'),
          SK: (value) => value === 'ACCOUNT',
        }),
      }),
    );
    return {
      accountIds: (result.Items ?? []).map((item) => item.accountId as string),
      cursor: encodeCursor(result.LastEvaluatedKey) ?? null,
    };
  }

  /**
   * Claims the account for one build attempt and reads it, in one strongly consistent write: from then on
   * the build's drafts, its `billedThrough` move and its outcome are each conditioned on the claim, so a
   * build the run gave up (timed out, then recorded failed, which revokes the claim) or one a newer attempt
   * took over cannot land its writes late. Undefined when the account does not exist.
   */
  async claimBuild(accountId: string, attempt: string): Promise<AccountRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET #attempt = :attempt',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
          ExpressionAttributeValues: { ':attempt': attempt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toAccount(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * The run gave up a build of the account (it failed or timed out): its claim goes, so any write it still
   * has in flight is refused. Only a claim of this run is revoked; a newer run's build keeps its own.
   */
  async revokeBuildClaim(accountId: string, runId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'REMOVE #attempt',
          ConditionExpression: 'begins_with(#attempt, :run)',
          ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
          ExpressionAttributeValues: { ':run': `${runId}#` },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Parks an account whose stored billing data cannot be built: it leaves the due index (so no later run
   * lists it again) and says why on the account (`billingBlocked`). A PATCH that repairs the data puts it
   * back (`AccountRepository.update`).
   */
  async parkAccount(accountId: string, attempt: string, reason: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET billingBlocked = :blocked REMOVE duePk, dueSk',
          ConditionExpression: '#attempt = :attempt',
          ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
          ExpressionAttributeValues: { ':attempt': attempt, ':blocked': { reason, at } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new BuildSuperseded(accountId);
      throw error;
    }
  }

  /**
   * Closes the account's periods before `closeThrough`: from now on order intake (whose transaction
   * conditions on `closedThrough`) puts late orders in the next open period, and cancellation refuses.
   * Moving forward only, so a repeated close is a no-op.
   */
  async closePeriods(accountId: string, closeThrough: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET closedThrough = :through',
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(closedThrough) OR closedThrough < :through)',
          ExpressionAttributeValues: { ':through': closeThrough },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Records that the periods before `to` are invoiced and moves the account in the due index, only for the
   * build holding the claim (`attempt`): a build given up never moves it, so its account stays due.
   */
  async advanceBilledThrough(
    accountId: string,
    from: string,
    to: string,
    nextCloseDate: string,
    attempt: string,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET billedThrough = :to, dueSk = :dueSk',
          ConditionExpression: 'billedThrough = :from AND #attempt = :attempt',
          ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
          ExpressionAttributeValues: {
            ':from': from,
            ':to': to,
            ':dueSk': keys.billingDue(nextCloseDate, accountId).dueSk,
            ':attempt': attempt,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Moved already (a retried call) is fine; a lost claim is not.
      const holder = error.Item ? error.Item[BUILD_ATTEMPT]?.S : await this.buildClaimOf(accountId);
      if (holder !== attempt) throw new BuildSuperseded(accountId);
    }
  }

  private async buildClaimOf(accountId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.account(accountId),
        ProjectionExpression: '#attempt',
        ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
        ConsistentRead: true,
      }),
    );
    return Item?.[BUILD_ATTEMPT] as string | undefined;
  }

  /** A condition check that the build `attempt` still holds its claim on the account. */
  private claimCheck(accountId: string, attempt: string): TransactItems[number] {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: keys.account(accountId),
        ConditionExpression: '#attempt = :attempt',
        ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
        ExpressionAttributeValues: { ':attempt': attempt },
      },
    };
  }

  // ── invoices ────────────────────────────────────────────────────────────────────────────────

  /**
   * Writes a draft and its lookup item together, once: the key is the account, period start, currency
   * and PO group, so a rerun of the same build finds the draft there and keeps the first one.
   */
  async createDraft(
    record: InvoiceRecord,
    options: { releaseForNumbering: boolean; attempt: string },
  ): Promise<'created' | 'exists'> {
    const item = {
      ...keys.invoice(record.accountId, record.orderRange.from, record.currency, record.purchaseOrderKey),
      entity: 'Invoice',
      ...record,
      ...(options.releaseForNumbering
        ? keys.toNumber(record.issuer.entityId, record.createdAt, record.invoiceId)
        : {}),
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.invoiceLookup(record.invoiceId),
                  entity: 'InvoiceLookup',
                  accountId: record.accountId,
                  invoiceSk: item.SK,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            // Only the build holding the claim writes drafts: one given up would leave a draft behind the
            // run's numbering, for another run to issue on another day.
            this.claimCheck(record.accountId, options.attempt),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [invoiceReason, , claimReason] = error.CancellationReasons ?? [];
        if (claimReason?.Code === 'ConditionalCheckFailed') throw new BuildSuperseded(record.accountId);
        if (invoiceReason?.Code === 'ConditionalCheckFailed') return 'exists';
      }
      throw error;
    }
  }

  async getInvoice(invoiceId: string): Promise<InvoiceRecord | undefined> {
    const lookup = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.invoiceLookup(invoiceId), ConsistentRead: true }),
    );
    if (!lookup.Item) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: {
          PK: keys.accountPartition(lookup.Item.accountId as string),
          SK: lookup.Item.invoiceSk as string,
        },
        ConsistentRead: true,
      }),
    );
    return Item ? toInvoiceRecord(Item) : undefined;
  }

  /**
   * An invoice read straight from its key (one GetItem), as the delivery steps get it from ListToSend;
   * undefined unless the item there is that invoice.
   */
  async getInvoiceAt(ref: InvoiceRef): Promise<InvoiceRecord | undefined> {
    if (!ref.invoiceSk.startsWith(keys.invoicesPrefix)) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.accountPartition(ref.accountId), SK: ref.invoiceSk },
        ConsistentRead: true,
      }),
    );
    return Item?.invoiceId === ref.invoiceId ? toInvoiceRecord(Item) : undefined;
  }

  /** An account's invoices, by period, a page at a time. */
  async listInvoices(
    accountId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Invoice[]; nextCursor?: string }> {
    const PK = keys.accountPartition(accountId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.invoicesPrefix },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          PK: (value) => value === PK,
          SK: (value) => value.startsWith(keys.invoicesPrefix),
        }),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => invoiceView(toInvoiceRecord(item))),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /** Drafts released for numbering, oldest first (sparse index: held and numbered invoices are not there). */
  async draftsToNumber(entityId: string, limit: number): Promise<InvoiceRecord[]> {
    const index = INDEXES.invoicesToNumber;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.toNumber(entityId, '', '').numberPk },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(toInvoiceRecord);
  }

  readCounter(entityId: string, year: string): Promise<number> {
    return readCounter(this.client, this.tableName, keys.invoiceCounter(entityId, year));
  }

  /**
   * Numbers a batch in ONE transaction: the counter moves from `last` to `last + n` (conditioned on
   * `last`, so two numbering steps can never hand out the same numbers), each draft becomes issued with
   * its number, a number-lookup item is created (a number is unique), and each account's exposure moves
   * from unbilled orders to unpaid invoices. All or nothing: no gap, no duplicate.
   */
  async issueBatch(
    entityId: string,
    year: string,
    last: number,
    entries: readonly NumberingEntry[],
    runId: string,
    issuedAt: string,
  ): Promise<'issued' | 'conflict'> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.invoiceCounter(entityId, year),
          UpdateExpression: 'SET #last = :next',
          ConditionExpression: last === 0 ? 'attribute_not_exists(#last) OR #last = :last' : '#last = :last',
          ExpressionAttributeNames: { '#last': 'last' },
          ExpressionAttributeValues: { ':last': last, ':next': last + entries.length },
        },
      },
    ];
    const exposureByAccount = new Map<string, { unbilled: number; unpaid: number }>();
    for (const entry of entries) {
      const { invoice } = entry;
      const open = invoice.amountDueMinor > 0;
      items.push({
        Update: {
          TableName: this.tableName,
          Key: keys.invoice(
            invoice.accountId,
            invoice.orderRange.from,
            invoice.currency,
            invoice.purchaseOrderKey,
          ),
          UpdateExpression:
            'SET #status = :issued, #number = :number, issueDate = :issueDate, dueDate = :dueDate, issuedAt = :issuedAt, ' +
            'latePenalty = :latePenalty, ' +
            'email = :email, sendPk = :sendPk, sendSk = :sendSk, ' +
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
            ':email': { status: 'ready', recipients: invoice.buyer.billingEmails },
            ...prefixed(keys.toSend(issuedAt, invoice.invoiceId)),
            ':paymentStatus': paymentStatusOf({
              amountDueMinor: invoice.amountDueMinor,
              paidMinor: 0,
              creditedMinor: 0,
              balanceMinor: invoice.amountDueMinor,
            }),
            ':zero': 0,
            ':balance': invoice.amountDueMinor,
            ...(open ? prefixed(keys.openInvoice(entry.dueDate, invoice.invoiceId)) : {}),
          },
        },
      });
      // The money movement, append-only: the buyer now owes the amount due.
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.ledger(invoice.accountId, issuedAt, invoice.invoiceId),
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
      });
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.invoiceNumber(entityId, entry.number),
            entity: 'InvoiceNumber',
            invoiceId: invoice.invoiceId,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
      const move = exposureByAccount.get(invoice.accountId) ?? { unbilled: 0, unpaid: 0 };
      move.unbilled += invoice.ordersGrossMinor;
      move.unpaid += invoice.amountDueMinor;
      exposureByAccount.set(invoice.accountId, move);
    }
    for (const [accountId, move] of exposureByAccount) {
      items.push({
        Update: {
          TableName: this.tableName,
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
      });
    }
    items.push({
      Update: {
        TableName: this.tableName,
        Key: keys.run(runId),
        UpdateExpression: 'ADD invoicesIssued :n',
        ExpressionAttributeValues: { ':n': entries.length },
      },
    });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'issued';
    } catch (error) {
      if (error instanceof TransactionCanceledException) return 'conflict';
      throw error;
    }
  }

  /** Issued invoices whose PDF or email is still to do, a page at a time. */
  async invoicesToSend(page: {
    limit: number;
    cursor: string | null;
  }): Promise<{ invoices: InvoiceRef[]; cursor: string | null }> {
    const index = INDEXES.invoicesToSend;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': 'TOSEND' },
        ProjectionExpression: 'invoiceId, accountId, SK',
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor ?? undefined, {
          [index.partitionKey]: (value) => value === 'TOSEND',
          [index.sortKey]: () => true,
          PK: (value) => value.startsWith('ACCOUNT#'),
          SK: (value) => value.startsWith(keys.invoicesPrefix),
        }),
      }),
    );
    return {
      invoices: (result.Items ?? []).map((item) => ({
        invoiceId: item.invoiceId as string,
        accountId: item.accountId as string,
        invoiceSk: item.SK as string,
      })),
      cursor: encodeCursor(result.LastEvaluatedKey) ?? null,
    };
  }

  /** Invoices stuck in `sending` (a send interrupted mid-flight), from the to-send index. */
  async invoicesSending(): Promise<InvoiceRecord[]> {
    const index = INDEXES.invoicesToSend;
    const found: InvoiceRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: 'email.#status = :sending',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: { ':pk': 'TOSEND', ':sending': 'sending' },
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(result.Items ?? []).map(toInvoiceRecord));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Records where the PDF is, once: an issued invoice's document never changes. */
  async recordPdf(invoice: InvoiceRecord, pdf: NonNullable<Invoice['pdf']>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(invoice),
          UpdateExpression: 'SET pdf = :pdf',
          ConditionExpression: 'attribute_not_exists(pdf)',
          ExpressionAttributeValues: { ':pdf': pdf },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Moves the email from `ready` to `sending`. Only the caller that wins this conditional write may call
   * SES: SES has no idempotency token, so this is what keeps an invoice from being emailed twice.
   */
  async beginSending(invoice: InvoiceRecord, at: string): Promise<boolean> {
    return this.conditionalEmailUpdate(
      invoice,
      'SET email.#status = :sending, email.sendingAt = :at',
      'ready',
      {
        ':sending': 'sending',
        ':at': at,
      },
    );
  }

  /** SES said no for sure (throttled, rejected): back to `ready` so a retry may send. */
  async abandonSending(invoice: InvoiceRecord): Promise<boolean> {
    return this.conditionalEmailUpdate(invoice, 'SET email.#status = :ready', 'sending', {
      ':ready': 'ready',
    });
  }

  /** SES accepted the message: the invoice is sent and leaves the to-send index. */
  async markSent(invoice: InvoiceRecord, messageId: string, at: string, runId: string): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: invoiceKey(invoice),
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
          {
            Update: {
              TableName: this.tableName,
              Key: keys.run(runId),
              UpdateExpression: 'ADD invoicesSent :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
  }

  /** A send interrupted mid-flight: SES may or may not have the message. Never resent automatically. */
  async markDeliveryUnknown(invoice: InvoiceRecord): Promise<boolean> {
    const changed = await this.conditionalEmailUpdate(
      invoice,
      'SET email.#status = :unknown REMOVE sendPk, sendSk',
      'sending',
      { ':unknown': 'unknown' },
    );
    return changed;
  }

  /** Operator review: a held draft leaves the numbering index; released, it comes back. */
  async setHeld(invoice: InvoiceRecord, held: boolean): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(invoice),
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
                ...prefixed(keys.toNumber(invoice.issuer.entityId, invoice.createdAt, invoice.invoiceId)),
              },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private conditionalEmailUpdate(
    invoice: InvoiceRecord,
    update: string,
    from: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const table = { client: this.client, tableName: this.tableName };
    return moveEmailState(table, invoiceKey(invoice), update, from, values);
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────

  /** Creates the run record once; a second start of the same run finds it and goes on. */
  async createRun(runId: string, cutOff: string, startedAt: string, executionName?: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.run(runId),
            entity: 'BillingRun',
            runId,
            cutOff,
            status: 'running',
            startedAt,
            invoiced: 0,
            skipped: 0,
            failed: 0,
            invoicesIssued: 0,
            invoicesSent: 0,
            ...(executionName ? { executionName } : {}),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The run and its first failures (at most `maxFailures`; the counters say how many in all). */
  async getRun(runId: string, maxFailures = 100): Promise<BillingRun | undefined> {
    const [{ Item: run }, failurePage] = await Promise.all([
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.run(runId), ConsistentRead: true }),
      ),
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :failure)',
          ExpressionAttributeValues: { ':pk': keys.run(runId).PK, ':failure': 'FAILURE#' },
          ConsistentRead: true,
          Limit: maxFailures,
        }),
      ),
    ]);
    if (!run) return undefined;
    const failures = (failurePage.Items ?? []).map((item) => ({
      stage: item.stage as 'build' | 'deliver',
      ...(item.accountId ? { accountId: item.accountId as string } : {}),
      ...(item.invoiceId ? { invoiceId: item.invoiceId as string } : {}),
      reason: item.reason as string,
    }));
    const invoiced = (run.invoiced as number) ?? 0;
    const skipped = (run.skipped as number) ?? 0;
    const failed = (run.failed as number) ?? 0;
    return {
      runId: run.runId as string,
      cutOff: run.cutOff as string,
      status: run.status as BillingRun['status'],
      startedAt: run.startedAt as string,
      ...(run.finishedAt ? { finishedAt: run.finishedAt as string } : {}),
      accountsDue: invoiced + skipped + failed,
      invoiced,
      skipped,
      failed,
      invoicesIssued: (run.invoicesIssued as number) ?? 0,
      invoicesSent: (run.invoicesSent as number) ?? 0,
      failures,
    };
  }

  /**
   * Counts one account's outcome in the run, once (a retried build does not count twice), and only for the
   * build holding the claim: an account the run already counted failed is not counted again.
   */
  async recordOutcome(
    runId: string,
    accountId: string,
    outcome: 'invoiced' | 'skipped',
    attempt: string,
  ): Promise<void> {
    await this.recordOnce(
      { ...keys.runOutcome(runId, accountId), entity: 'RunOutcome', accountId, outcome },
      runId,
      outcome,
      { item: this.claimCheck(accountId, attempt), failed: () => new BuildSuperseded(accountId) },
    );
  }

  /** Records a failure with its reason, once per stage and subject, and counts failed accounts. */
  async recordFailure(
    runId: string,
    failure: { stage: 'build' | 'deliver'; accountId?: string; invoiceId?: string; reason: string },
  ): Promise<void> {
    const subject = failure.accountId ?? failure.invoiceId ?? 'unknown';
    await this.recordOnce(
      { ...keys.runFailure(runId, failure.stage, subject), entity: 'RunFailure', ...failure },
      runId,
      failure.stage === 'build' ? 'failed' : undefined,
    );
  }

  /**
   * The workflow itself stopped: records why (once) and ends the run `failed`, unless it already ended.
   * A rerun of the cut-off starts a new run that does what is missing.
   */
  async failRun(runId: string, reason: string, at: string): Promise<void> {
    await this.recordOnce(
      { ...keys.runFailure(runId, 'run', 'workflow'), entity: 'RunFailure', stage: 'run', reason },
      runId,
    );
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.run(runId),
          UpdateExpression: 'SET #status = :failed, finishedAt = :at',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':running': 'running', ':at': at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async finishRun(runId: string, finishedAt: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.run(runId),
        UpdateExpression: 'SET #status = :succeeded, finishedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':succeeded': 'succeeded', ':at': finishedAt },
      }),
    );
  }

  private async recordOnce(
    item: Record<string, unknown>,
    runId: string,
    counter?: string,
    check?: { item: TransactItems[number]; failed: () => Error },
  ): Promise<void> {
    const items: TransactItems = [
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
      ...(check ? [check.item] : []),
    ];
    if (counter) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: keys.run(runId),
          UpdateExpression: 'ADD #counter :one',
          ExpressionAttributeNames: { '#counter': counter },
          ExpressionAttributeValues: { ':one': 1 },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return;
        if (check && error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed') throw check.failed();
      }
      throw error;
    }
  }
}

function invoiceKey(invoice: InvoiceRecord) {
  return keys.invoice(invoice.accountId, invoice.orderRange.from, invoice.currency, invoice.purchaseOrderKey);
}

function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));
}
