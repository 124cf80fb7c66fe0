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
 * | order by id                                 | table         | PK = ORDER#<id>, SK = ORDER (lookup item)            |
 * | idempotency record (expires through TTL)    | table         | PK = IDEMPOTENCY#<storefrontId>#<key>, SK = IDEMPOTENCY |
 * | API key by hash (authorizer)                | table         | PK = APIKEY#<sha256>, SK = APIKEY                    |
 * | storefront and its keys                     | table         | PK = STOREFRONT#<id>, SK = STOREFRONT / KEY#<keyId>  |
 * | all accounts, all storefronts (operator)    | ListByType    | listPk = ACCOUNT / STOREFRONT, listSk = <createdAt>#<id> |
 * | a storefront's orders for one account/period| OrdersByStorefront | sfPk = <storefrontId>#<accountId>, sfSk begins_with ORDER#<periodStart># |
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
} as const;

/** Secondary indexes, each named for the access pattern it serves. */
export const INDEXES = {
  /** Operator listings of one entity type, newest last: accounts, storefronts. */
  listByType: { name: 'ListByType', partitionKey: 'listPk', sortKey: 'listSk' },
  /** A storefront's own orders for one account, by period: what it may list, and only that is read. */
  ordersByStorefront: { name: 'OrdersByStorefront', partitionKey: 'sfPk', sortKey: 'sfSk' },
} as const;

export type IndexDefinition = (typeof INDEXES)[keyof typeof INDEXES];

/** Key builders: the only place key strings are spelled. */
export const keys = {
  account: (accountId: string) => ({ PK: `ACCOUNT#${accountId}`, SK: 'ACCOUNT' }),
  accountPartition: (accountId: string) => `ACCOUNT#${accountId}`,
  /** Orders sort by billing period start (local date), then by id (a ULID, so by arrival). */
  order: (accountId: string, periodStart: string, orderId: string) => ({
    PK: `ACCOUNT#${accountId}`,
    SK: `ORDER#${periodStart}#${orderId}`,
  }),
  ordersOfPeriodPrefix: (periodStart: string) => `ORDER#${periodStart}#`,
  /** Index keys of an order in OrdersByStorefront (the sort key repeats the table's). */
  orderByStorefront: (storefrontId: string, accountId: string, orderSk: string) => ({
    sfPk: `${storefrontId}#${accountId}`,
    sfSk: orderSk,
  }),
  orderLookup: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  idempotency: (storefrontId: string, idempotencyKey: string) => ({
    PK: `IDEMPOTENCY#${storefrontId}#${idempotencyKey}`,
    SK: 'IDEMPOTENCY',
  }),
  apiKey: (keyHash: string) => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  storefront: (storefrontId: string) => ({ PK: `STOREFRONT#${storefrontId}`, SK: 'STOREFRONT' }),
  storefrontKey: (storefrontId: string, keyId: string) => ({
    PK: `STOREFRONT#${storefrontId}`,
    SK: `KEY#${keyId}`,
  }),
  listing: (entityType: 'ACCOUNT' | 'STOREFRONT', createdAt: string, id: string) => ({
    listPk: entityType,
    listSk: `${createdAt}#${id}`,
  }),
} as const;

/** Table definition used by the local stack and tests to create the very table the CDK stack declares. */
export const tableDefinition = {
  keys: TABLE_KEYS,
  indexes: Object.values(INDEXES),
} as const;
