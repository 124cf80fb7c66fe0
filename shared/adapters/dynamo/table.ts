/**
 * The single DynamoDB table, designed from its access patterns.
 *
 * One module owns every key format so the CDK stack, the local stack, repositories and tests agree.
 * Items carry generic `PK`/`SK` keys; secondary indexes are named for the pattern they serve.
 *
 * | access pattern                              | index         | key condition                                        |
 * | ------------------------------------------- | ------------- | ---------------------------------------------------- |
 * | account by id                               | table         | PK = ACCOUNT#<id>, SK = ACCOUNT                      |
 * | orders of an account in a billing period    | table         | PK = ACCOUNT#<id>, SK begins_with ORDER#<periodStart>#|
 * | orders of an account over a range of periods| table         | PK = ACCOUNT#<id>, SK between ORDER#<a> and ORDER#<b>|
 * | order by id; an order's idempotency claim   | table         | PK = ORDER#<id>, SK = ORDER (lookup item; id from the key) |
 * | API key by hash (authorizer)                | table         | PK = APIKEY#<sha256>, SK = APIKEY                    |
 * | storefront and its keys                     | table         | PK = STOREFRONT#<id>, SK = STOREFRONT / KEY#<keyId>  |
 * | seller by id (order intake: BatchGetItem)   | table         | PK = SELLER#<id>, SK = SELLER                        |
 * | all accounts, storefronts, sellers          | ListByType    | listPk = ACCOUNT / STOREFRONT / SELLER, listSk = <createdAt>#<id> |
 * | a storefront's orders for one account/period| table         | as the account's, filtered on storefrontId           |
 * | invoices of an account (by period)          | table         | PK = ACCOUNT#<id>, SK begins_with INVOICE#           |
 * | invoice by id                               | table         | PK = INVOICE#<id>, SK = INVOICE (lookup item)        |
 * | invoice by number (per issuing entity)      | table         | PK = INVOICENUMBER#<entity>#<number>, SK = INVOICENUMBER |
 * | invoice number sequence of an issuer/year   | table         | PK = COUNTER#INVOICE#<entity>#<year>, SK = COUNTER   |
 * | billing run, its outcomes and failures       | table         | PK = RUN#<runId>, SK = RUN / OUTCOME#<acc> / FAILURE#<stage>#<id> |
 * | accounts due for billing at a cut-off       | AccountsByBillingDue | duePk = DUE, dueSk BETWEEN 2000-01-01 AND <cutOff + 1 day>#~ (next period start) |
 * | drafts waiting for a number                 | InvoicesToNumber | numberPk = TONUMBER#<entity>, numberSk = <createdAt>#<id> (sparse) |
 * | issued invoices waiting for delivery        | InvoicesToSend | sendPk = TOSEND, sendSk = <issuedAt>#<id> (sparse)  |
 * | payment idempotency record (TTL)            | table         | PK = IDEMPOTENCY#PAYMENT#<key>, SK = IDEMPOTENCY     |
 * | payments of an account (and their reversals)| table         | PK = ACCOUNT#<id>, SK begins_with PAYMENT#           |
 * | payment by id                               | table         | PK = PAYMENT#<id>, SK = PAYMENT (lookup item)        |
 * | payment history of an invoice               | table         | PK = INVOICE#<id>, SK begins_with PAYMENT#           |
 * | reminder steps of an invoice (once each)    | table         | PK = INVOICE#<id>, SK = REMINDER#<days>              |
 * | credit note by id                           | table         | PK = CREDITNOTE#<id>, SK = CREDITNOTE                |
 * | credit notes of an invoice; credited qty    | table         | PK = INVOICE#<id>, SK begins_with CREDITNOTE# / = CREDITED |
 * | credit-note number sequence of issuer/year  | table         | PK = COUNTER#CREDITNOTE#<entity>#<year>, SK = COUNTER |
 * | credit-note idempotency record (TTL)        | table         | PK = IDEMPOTENCY#CREDITNOTE#<key>, SK = IDEMPOTENCY  |
 * | money movements of an account (ledger)      | table         | PK = ACCOUNT#<id>, SK begins_with LEDGER#            |
 * | money movements of all accounts by time     | LedgerByMonth | ledgerPk = LEDGER#<yyyy-mm> (UTC), ledgerSk = <at>#<accountId>#<entryId> |
 * | books' exports (history), newest first      | table         | PK = EXPORTS, SK = EXPORT#<exportId> (ULID: time order) |
 * | open invoices by due date (overdue follow-up)| OpenInvoicesByDue | openPk = OPEN, openSk <= <dueDate>#~ (sparse: balance > 0) |
 * | an account's open invoices by due date (buyer)| OpenInvoicesOfAccount | PK = ACCOUNT#<id>, openSk (sparse: balance > 0) |
 * | e-invoice statuses recorded (outbox)        | table         | PK = INVOICE#<id>, SK = LIFECYCLE#<eventId>           |
 * | SES feedback of a message (outbox, once each)| table         | PK = EMAILFEEDBACK#<messageId>, SK = FEEDBACK#<feedbackId> |
 * | the platform poll's cursor                  | table         | PK = PLATFORMSYNC#<name>, SK = CURSOR                |
 * | a day's receivables pass (its checkpoint)   | table         | PK = RECEIVABLES#<today>, SK = PASS                  |
 * | "Encaissée" to send (collections due)       | CollectionsToSend | collectPk = COLLECT, collectSk = <since>#<invoiceId> (sparse) |
 * | buyer by id; buyer by email                 | table         | PK = BUYER#<id>, SK = BUYER; PK = BUYEREMAIL#<sha256>, SK = BUYEREMAIL |
 * | a buyer's accounts (memberships)            | table         | PK = BUYER#<id>, SK begins_with MEMBERSHIP#          |
 * | an account's buyers; its buyer tokens       | table         | PK = ACCOUNT#<id>, SK begins_with MEMBER# / BTOKEN#  |
 * | audit of an account's buyers, of a buyer    | table         | PK = ACCOUNT#<id> or BUYER#<id>, SK begins_with AUDIT# |
 * | sign-in challenge of an email (TTL)         | table         | PK = SIGNIN#<sha256(email)>, SK = CHALLENGE          |
 * | sign-in link → its email (TTL)              | table         | PK = SIGNINLINK#<sha256>, SK = SIGNINLINK            |
 * | session by cookie (TTL)                     | table         | PK = BUYERSESSION#<sha256>, SK = SESSION             |
 * | buyer token by hash (authorizer)            | table         | PK = BUYERTOKEN#<sha256>, SK = BUYERTOKEN            |
 * | rate-limit counter of a window (TTL)        | table         | PK = RATELIMIT#<subject>#<windowStart>, SK = RATELIMIT |
 * | event replays (audit, newest first)         | table         | PK = EVENTREPLAYS, SK begins_with REPLAY#            |
 * | SES send-rate tokens of a second (TTL)      | table         | PK = RATELIMIT#SES#<scope>#<epochSecond>, SK = RATELIMIT |
 * | webhook endpoint by id; all endpoints       | table; ListByType | PK = WEBHOOK#<id>, SK = ENDPOINT; listPk = WEBHOOK |
 * | a webhook delivery by webhook-id (its claim) | table        | PK = WEBHOOK#<endpointId>, SK = DELIVERY#<webhookId> |
 * | the oldest pending delivery of a queue      | table         | PK = WEBHOOK#<endpointId>, SK begins_with PENDING#<accountId># (Limit 1) |
 * | a (endpoint, account) delivery queue        | table         | PK = WEBHOOK#<endpointId>, SK = QUEUE#<accountId>    |
 * | webhook queues due for a send               | WebhooksDue   | webhookDuePk = WEBHOOKDUE, webhookDueSk < <now>#~ (sparse: `<nextAttemptAt>#<endpointId>#<accountId>`) |
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
} as const;

/**
 * Secondary indexes, each named for the access pattern it serves, with what it projects. An index copy is
 * written whenever an item enters or leaves it or a projected attribute changes, and a projection cannot be
 * changed once deployed (only by deleting and rebuilding the index), so each index projects only what its
 * readers take from the page itself (`include`; none: KEYS_ONLY, the table's and the index's keys). A reader
 * that needs more gets the items by key after the page (kit/query.ts, one BatchGetItem a page).
 */
export const INDEXES = {
  /**
   * Operator listings of one entity type, newest last: accounts, storefronts, sellers. Keys only: the account
   * item is rewritten by every order (its exposure), and with the item projected each order also rewrote
   * its copy here; the listing reads the page's items by key.
   */
  listByType: { name: 'ListByType', partitionKey: 'listPk', sortKey: 'listSk', include: [] },
  /**
   * Accounts by the end of their oldest open period: who is due at a cut-off (a Query, never a Scan). Keys
   * only: the reader wants the account id, which the item's `PK` holds.
   */
  accountsByBillingDue: {
    name: 'AccountsByBillingDue',
    partitionKey: 'duePk',
    sortKey: 'dueSk',
    include: [],
  },
  /** Sparse: drafts released for numbering (the attribute is removed when numbered or held). */
  invoicesToNumber: { name: 'InvoicesToNumber', partitionKey: 'numberPk', sortKey: 'numberSk', include: [] },
  /**
   * Sparse: issued invoices whose PDF or email is still to do (removed once sent). The delivery list reads
   * the ref (id, account, `SK`) from the page; the restart of interrupted sends filters on `email`.
   */
  invoicesToSend: {
    name: 'InvoicesToSend',
    partitionKey: 'sendPk',
    sortKey: 'sendSk',
    include: ['invoiceId', 'accountId', 'email'],
  },
  /** Sparse: issued invoices with a balance left, by due date (removed once paid, back on a reversal). */
  openInvoicesByDue: { name: 'OpenInvoicesByDue', partitionKey: 'openPk', sortKey: 'openSk', include: [] },
  /**
   * Sparse: one account's open invoices by due date (the buyer's overview and statement). It keys on the
   * invoice's own `PK` and the open index's `openSk`, which every money movement already sets and removes,
   * so no writer changes; only invoices carry `openSk`, so nothing else of the partition is projected.
   */
  openInvoicesOfAccount: {
    name: 'OpenInvoicesOfAccount',
    partitionKey: 'PK',
    sortKey: 'openSk',
    include: [],
  },
  /**
   * Every ledger entry (money movement) of every account by time, one partition per UTC month: the books'
   * exports (FEC, journal) and event replays read a date range across accounts from it, in time order.
   * Keys only: readers take the entries by key after the page. Written once per entry, never changed.
   */
  ledgerByMonth: { name: 'LedgerByMonth', partitionKey: 'ledgerPk', sortKey: 'ledgerSk', include: [] },
  /**
   * Sparse: webhook delivery queues (one per endpoint and account) with something to send, by the time of
   * their next attempt; the dispatcher's every-minute Query. Keys only: it reads the queue from its key.
   */
  webhooksDue: { name: 'WebhooksDue', partitionKey: 'webhookDuePk', sortKey: 'webhookDueSk', include: [] },
  /** Sparse: invoices whose "Encaissée" (212) is due or being sent (removed once sent). */
  collectionsToSend: {
    name: 'CollectionsToSend',
    partitionKey: 'collectPk',
    sortKey: 'collectSk',
    include: [],
  },
} as const satisfies Record<
  string,
  { name: string; partitionKey: string; sortKey: string; include: readonly string[] }
>;

export type IndexDefinition = (typeof INDEXES)[keyof typeof INDEXES];

/** The attributes an index holds for each item: the table's keys, its own, and its `include` list. */
export function projectedAttributes(index: IndexDefinition): ReadonlySet<string> {
  return new Set<string>([
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    index.partitionKey,
    index.sortKey,
    ...index.include,
  ]);
}

/** The index's projection as DynamoDB's API spells it: what the local stack creates and tests compare. */
export function projectionOf(index: IndexDefinition): {
  ProjectionType: 'KEYS_ONLY' | 'INCLUDE';
  NonKeyAttributes?: string[];
} {
  return index.include.length === 0
    ? { ProjectionType: 'KEYS_ONLY' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] };
}

/** Entity types the operator lists through ListByType. */
export type ListedEntity = 'ACCOUNT' | 'STOREFRONT' | 'SELLER' | 'WEBHOOK';

/** Scopes of the operator's idempotency keys (an order's scope is its storefront's id). */
export const IDEMPOTENCY_SCOPES = {
  payment: 'PAYMENT',
  creditNote: 'CREDITNOTE',
  bookExport: 'EXPORT',
} as const;

/* Partitions of the sparse indexes and prefixes shared by several builders below. */
const DUE_PARTITION = 'DUE';
const TO_SEND_PARTITION = 'TOSEND';
const OPEN_PARTITION = 'OPEN';
const COLLECT_PARTITION = 'COLLECT';
const WEBHOOK_DUE_PARTITION = 'WEBHOOKDUE';
const RUN_FAILURES_PREFIX = 'FAILURE#';
const toNumberPartition = (entityId: string) => `TONUMBER#${entityId}`;
const runPartition = (runId: string) => `RUN#${runId}`;

/** Key builders: the only place key strings are spelled. */
/** The partition of the event replays' audit. */
const EVENT_REPLAYS_PARTITION = 'EVENTREPLAYS';

export const keys = {
  account: (accountId: string) => ({ PK: `ACCOUNT#${accountId}`, SK: 'ACCOUNT' }),
  accountPartition: (accountId: string) => `ACCOUNT#${accountId}`,
  /**
   * Orders sort by billing period start (local date), then by arrival (`receivedAt`, UTC), then by id (derived
   * from the Idempotency-Key, see order-id.ts). Orders written before ids were derived have no `receivedAt`
   * in their key (`ORDER#<start>#<id>`): they still read, and `orderIdsOf` takes the id from either.
   */
  order: (accountId: string, periodStart: string, receivedAt: string, orderId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `ORDER#${periodStart}#${receivedAt}#${orderId}`,
  }),
  /** The account and the order an order's key names (what `order` built): an order of form 2 keeps them only there. */
  orderIdsOf: (key: { PK: unknown; SK: unknown }) => ({
    accountId: String(key.PK).slice('ACCOUNT#'.length),
    orderId: String(key.SK).slice(String(key.SK).lastIndexOf('#') + 1),
  }),
  ordersPrefix: 'ORDER#',
  /**
   * The same orders as a closed range (`~` sorts after every id character). DynamoDB serves a prefix and a
   * range alike; DynamoDB Local reads a whole partition for `begins_with` but seeks a `BETWEEN`, so reads
   * on request paths use the range: their cost on the emulators, as on AWS, is what they return.
   */
  ordersOfPeriodRange: (periodStart: string) => [`ORDER#${periodStart}#`, `ORDER#${periodStart}#~`] as const,
  /** Sorts just before every order of the period starting that day: a bound for ranges of periods. */
  ordersPeriodBound: (periodStart: string) => `ORDER#${periodStart}`,
  orderLookup: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  /**
   * An idempotency record of the operator's commands: the scope is `PAYMENT` or `CREDITNOTE` (see
   * IDEMPOTENCY_SCOPES). An order's key is claimed by its lookup item instead (order-id.ts); records of
   * the storefront scope written before that expire through their TTL.
   */
  idempotency: (scope: string, idempotencyKey: string) => ({
    PK: `IDEMPOTENCY#${scope}#${idempotencyKey}`,
    SK: 'IDEMPOTENCY',
  }),
  apiKey: (keyHash: string) => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  storefront: (storefrontId: string) => ({ PK: `STOREFRONT#${storefrontId}`, SK: 'STOREFRONT' }),
  storefrontKey: (storefrontId: string, keyId: string) => ({
    PK: `STOREFRONT#${storefrontId}`,
    SK: `KEY#${keyId}`,
  }),
  storefrontKeysPrefix: 'KEY#',
  /** A seller, by the id storefronts send on order lines (never deleted: a known id stays known). */
  seller: (sellerId: string) => ({ PK: `SELLER#${sellerId}`, SK: 'SELLER' }),
  /** Index keys that put an account in the billing-due index at the end of its oldest open period. */
  billingDue: (nextCloseDate: string, accountId: string) => ({
    duePk: DUE_PARTITION,
    dueSk: `${nextCloseDate}#${accountId}`,
  }),
  billingDuePartition: DUE_PARTITION,
  /** Sorts after every account of the due index whose next period starts on `nextCloseDate`. */
  billingDueThrough: (nextCloseDate: string) => `${nextCloseDate}#~`,
  /** One invoice per account, period, currency and (when the account asks) purchase order. */
  invoice: (accountId: string, periodStart: string, currency: string, purchaseOrderKey: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `INVOICE#${periodStart}#${currency}#${purchaseOrderKey}`,
  }),
  invoicesPrefix: 'INVOICE#',
  invoiceLookup: (invoiceId: string) => ({ PK: `INVOICE#${invoiceId}`, SK: 'INVOICE' }),
  invoiceNumber: (entityId: string, number: string) => ({
    PK: `INVOICENUMBER#${entityId}#${number}`,
    SK: 'INVOICENUMBER',
  }),
  invoiceCounter: (entityId: string, year: string) => ({
    PK: `COUNTER#INVOICE#${entityId}#${year}`,
    SK: 'COUNTER',
  }),
  /** Index keys of a draft released for numbering, in its issuer's queue, oldest first. */
  toNumber: (entityId: string, createdAt: string, invoiceId: string) => ({
    numberPk: toNumberPartition(entityId),
    numberSk: `${createdAt}#${invoiceId}`,
  }),
  toNumberPartition: (entityId: string) => toNumberPartition(entityId),
  /** Index keys of an issued invoice whose PDF or email is still to do. */
  toSend: (issuedAt: string, invoiceId: string) => ({
    sendPk: TO_SEND_PARTITION,
    sendSk: `${issuedAt}#${invoiceId}`,
  }),
  toSendPartition: TO_SEND_PARTITION,
  run: (runId: string) => ({ PK: runPartition(runId), SK: 'RUN' }),
  runPartition: (runId: string) => runPartition(runId),
  runOutcome: (runId: string, accountId: string) => ({ PK: runPartition(runId), SK: `OUTCOME#${accountId}` }),
  runFailure: (runId: string, stage: string, subjectId: string) => ({
    PK: runPartition(runId),
    SK: `${RUN_FAILURES_PREFIX}${stage}#${subjectId}`,
  }),
  runFailuresPrefix: RUN_FAILURES_PREFIX,
  /** A payment in its account's partition; its reversal (if any) sorts right after it. */
  payment: (accountId: string, paymentId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `PAYMENT#${paymentId}`,
  }),
  paymentReversal: (accountId: string, paymentId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `PAYMENT#${paymentId}#REVERSAL`,
  }),
  paymentsPrefix: 'PAYMENT#',
  paymentLookup: (paymentId: string) => ({ PK: `PAYMENT#${paymentId}`, SK: 'PAYMENT' }),
  /** One allocation (or its reversal) in the invoice's lookup partition: the invoice's payment history. */
  invoicePayment: (invoiceId: string, at: string, paymentId: string, kind: 'payment' | 'reversal') => ({
    PK: `INVOICE#${invoiceId}`,
    SK: `PAYMENT#${at}#${paymentId}#${kind}`,
  }),
  invoicePartition: (invoiceId: string) => `INVOICE#${invoiceId}`,
  /** A reminder step of an invoice, written before the email is sent: each step is sent at most once. */
  invoiceReminder: (invoiceId: string, step: number) => ({
    PK: `INVOICE#${invoiceId}`,
    SK: `REMINDER#${String(step).padStart(4, '0')}`,
  }),
  invoiceRemindersPrefix: 'REMINDER#',
  creditNoteCounter: (entityId: string, year: string) => ({
    PK: `COUNTER#CREDITNOTE#${entityId}#${year}`,
    SK: 'COUNTER',
  }),
  /** A credit note by id (the whole credit note). */
  creditNote: (creditNoteId: string) => ({ PK: `CREDITNOTE#${creditNoteId}`, SK: 'CREDITNOTE' }),
  /** A copy of a credit note in its invoice's lookup partition: the invoice's credit notes. */
  invoiceCreditNote: (invoiceId: string, creditNoteId: string) => ({
    PK: `INVOICE#${invoiceId}`,
    SK: `CREDITNOTE#${creditNoteId}`,
  }),
  creditNotesPrefix: 'CREDITNOTE#',
  /** Quantities already credited per `<orderId>#<lineNumber>` of an invoice (thousandths), versioned. */
  invoiceCredited: (invoiceId: string) => ({ PK: `INVOICE#${invoiceId}`, SK: 'CREDITED' }),
  /** Append-only money movement of an account: issued invoice, payment, reversal, credit note. */
  ledger: (accountId: string, at: string, entryId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `LEDGER#${at}#${entryId}`,
  }),
  ledgerPrefix: 'LEDGER#',
  /**
   * Index keys of a ledger entry in LedgerByMonth: its UTC month, then its instant, account and id (the
   * position a range read resumes after, `ledgerPosition`).
   */
  ledgerByMonth: (at: string, accountId: string, entryId: string) => ({
    ledgerPk: `LEDGER#${at.slice(0, 7)}`,
    ledgerSk: `${at}#${accountId}#${entryId}`,
  }),
  /** The LedgerByMonth partition of a UTC month (`YYYY-MM`). */
  ledgerMonthPartition: (month: string) => `LEDGER#${month}`,
  /**
   * An export of the books (FEC, journal) in the history: one partition for all, a few a day; its id is a
   * ULID, so the sort key is the export's time order.
   */
  bookExport: (exportId: string) => ({ PK: 'EXPORTS', SK: `EXPORT#${exportId}` }),
  bookExportsPartition: 'EXPORTS',
  bookExportsPrefix: 'EXPORT#',
  /** Index keys of an open invoice (balance > 0) by due date. */
  openInvoice: (dueDate: string, invoiceId: string) => ({
    openPk: OPEN_PARTITION,
    openSk: `${dueDate}#${invoiceId}`,
  }),
  /** Every open invoice's `openSk` (due dates within the sane range), as a range: see ordersOfPeriodRange. */
  openInvoicesRange: ['2000-01-01', '2199-12-31#~'] as const,
  /** The one partition of OpenInvoicesByDue (its sort key orders open invoices by due date). */
  openInvoicesPartition: OPEN_PARTITION,
  /** A lifecycle status recorded on an invoice: the outbox item the stream turns into an event. */
  einvoiceStatus: (invoiceId: string, eventId: string) => ({
    PK: `INVOICE#${invoiceId}`,
    SK: `LIFECYCLE#${eventId}`,
  }),
  /** An SES bounce, complaint or reject recorded on a document: the outbox item the stream turns into an event. */
  emailFeedback: (messageId: string, feedbackId: string) => ({
    PK: `EMAILFEEDBACK#${messageId}`,
    SK: `FEEDBACK#${feedbackId}`,
  }),
  /** Where the poll of the approved platform's updates resumes (one item per poller). */
  platformCursor: (name: string) => ({ PK: `PLATFORMSYNC#${name}`, SK: 'CURSOR' }),
  /** The checkpoint of the daily receivables follow-up of one day (where its next page starts). */
  receivablesPass: (today: string) => ({ PK: `RECEIVABLES#${today}`, SK: 'PASS' }),
  /** Index keys of an invoice whose "Encaissée" is due (since the day collected) or being sent (since claimed). */
  collectionToSend: (since: string, invoiceId: string) => ({
    collectPk: COLLECT_PARTITION,
    collectSk: `${since}#${invoiceId}`,
  }),
  collectionsPartition: COLLECT_PARTITION,
  /** A person who reads accounts (the portal, the buyer API). */
  buyer: (buyerId: string) => ({ PK: `BUYER#${buyerId}`, SK: 'BUYER' }),
  /** The one person of a normalised email (its hash): what makes an email belong to one buyer. */
  buyerEmail: (emailKey: string) => ({ PK: `BUYEREMAIL#${emailKey}`, SK: 'BUYEREMAIL' }),
  buyerPartition: (buyerId: string) => `BUYER#${buyerId}`,
  /** A buyer's membership of an account, in the buyer's partition: what the authorizer reads. */
  buyerMembership: (buyerId: string, accountId: string) => ({
    PK: `BUYER#${buyerId}`,
    SK: `MEMBERSHIP#${accountId}`,
  }),
  buyerMembershipsPrefix: 'MEMBERSHIP#',
  /** The same membership in the account's partition: the account's buyers. */
  accountMember: (accountId: string, buyerId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `MEMBER#${buyerId}`,
  }),
  accountMembersPrefix: 'MEMBER#',
  /** An audit entry in an account's or a buyer's partition (`partition` from accountPartition/buyerPartition). */
  audit: (partition: string, at: string, entryId: string) => ({
    PK: partition,
    SK: `AUDIT#${at}#${entryId}`,
  }),
  auditPrefix: 'AUDIT#',
  /**
   * One call of an event replay, under one partition for all (an operator's act, a few a day): listed newest
   * first by the time of the call.
   */
  eventReplay: (requestedAt: string, replayId: string, call: number) => ({
    PK: EVENT_REPLAYS_PARTITION,
    SK: `REPLAY#${requestedAt}#${replayId}#${String(call).padStart(6, '0')}`,
  }),
  eventReplaysPartition: EVENT_REPLAYS_PARTITION,
  eventReplayPrefix: 'REPLAY#',
  signInChallenge: (emailKey: string) => ({ PK: `SIGNIN#${emailKey}`, SK: 'CHALLENGE' }),
  signInLink: (linkHash: string) => ({ PK: `SIGNINLINK#${linkHash}`, SK: 'SIGNINLINK' }),
  buyerSession: (secretHash: string) => ({ PK: `BUYERSESSION#${secretHash}`, SK: 'SESSION' }),
  buyerToken: (tokenHash: string) => ({ PK: `BUYERTOKEN#${tokenHash}`, SK: 'BUYERTOKEN' }),
  /** A token under its account, so a buyer admin lists and revokes it without ever seeing a hash. */
  accountBuyerToken: (accountId: string, tokenId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `BTOKEN#${tokenId}`,
  }),
  accountBuyerTokensPrefix: 'BTOKEN#',
  rateLimit: (subject: string, windowStart: string) => ({
    PK: `RATELIMIT#${subject}#${windowStart}`,
    SK: 'RATELIMIT',
  }),
  /** A webhook endpoint; its deliveries, pending markers and queues share its partition. */
  webhookEndpoint: (endpointId: string) => ({ PK: `WEBHOOK#${endpointId}`, SK: 'ENDPOINT' }),
  webhookPartition: (endpointId: string) => `WEBHOOK#${endpointId}`,
  /** One event's delivery to the endpoint, by its webhook-id: created once (the fan-out's dedup claim). */
  webhookDelivery: (endpointId: string, webhookId: string) => ({
    PK: `WEBHOOK#${endpointId}`,
    SK: `DELIVERY#${webhookId}`,
  }),
  webhookDeliveriesPrefix: 'DELIVERY#',
  /** A pending delivery's place in its account's queue: by the event's time, then its id. */
  webhookPending: (endpointId: string, accountId: string, occurredAt: string, eventId: string) => ({
    PK: `WEBHOOK#${endpointId}`,
    SK: `PENDING#${accountId}#${occurredAt}#${eventId}`,
  }),
  webhookPendingPrefix: (accountId: string) => `PENDING#${accountId}#`,
  /** The (endpoint, account) queue: its schedule, lease and failure count. */
  webhookQueue: (endpointId: string, accountId: string) => ({
    PK: `WEBHOOK#${endpointId}`,
    SK: `QUEUE#${accountId}`,
  }),
  webhookQueuesPrefix: 'QUEUE#',
  /** Index keys of a queue due at `at` (sparse: absent when idle or parked). */
  webhookDue: (at: string, endpointId: string, accountId: string) => ({
    webhookDuePk: WEBHOOK_DUE_PARTITION,
    webhookDueSk: `${at}#${endpointId}#${accountId}`,
  }),
  webhookDuePartition: WEBHOOK_DUE_PARTITION,
  listing: (entityType: ListedEntity, createdAt: string, id: string) => ({
    listPk: entityType,
    listSk: `${createdAt}#${id}`,
  }),
} as const;

/** Table definition used by the local stack and tests to create the very table the CDK stack declares. */
export const tableDefinition = {
  keys: TABLE_KEYS,
  indexes: Object.values(INDEXES),
} as const;
