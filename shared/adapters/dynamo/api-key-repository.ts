import type { ApiKeyRecord } from '../../core/domain/api-keys.js';
import type { ApiKeyStore } from '../../core/ports/storefronts.js';
import { ApiKeyEntity, StorefrontKeyEntity } from './entities/directory.js';
import { itemOf, parseItem } from './kit/entity.js';
import { getItem, type TransactionItem, transactWrite } from './kit/operations.js';
import { queryAll } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

/**
 * API keys. Each key is two items written together: `APIKEY#<hash>` that the authorizer reads with one
 * GetItem, and, for storefront keys, `STOREFRONT#<id>/KEY#<keyId>` so an operator can list and revoke
 * a storefront's keys without ever seeing a hash.
 */
export class ApiKeyRepository implements ApiKeyStore {
  constructor(private readonly table: TableRef) {}

  /**
   * Strongly consistent: an eventually consistent read right after a revocation may still see the key
   * active, stretching "revoked within the authorizer cache's lifetime" by the replication lag. Behind the
   * cache a key is read about once per lifetime, so the doubled read cost is small.
   */
  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const item = await getItem(this.table, keys.apiKey(keyHash));
    return item ? parseItem(ApiKeyEntity, item) : undefined;
  }

  /** Stores a new key; refuses (throws) a hash or key id that already exists. */
  async put(record: ApiKeyRecord): Promise<void> {
    const absent = 'attribute_not_exists(PK)';
    const items: Array<{ label: 'hash' | 'storefront'; item: TransactionItem }> = [
      {
        label: 'hash',
        item: {
          Put: {
            Item: itemOf(ApiKeyEntity, keys.apiKey(record.keyHash), record),
            ConditionExpression: absent,
          },
        },
      },
    ];
    if (record.storefrontId) {
      const key = keys.storefrontKey(record.storefrontId, record.keyId);
      items.push({
        label: 'storefront',
        item: { Put: { Item: itemOf(StorefrontKeyEntity, key, record), ConditionExpression: absent } },
      });
    }
    const outcome = await transactWrite(this.table, items);
    if (!outcome.ok) throw new Error(`API key ${record.keyId} could not be stored: it exists already`);
  }

  async listForStorefront(storefrontId: string): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    const spec = {
      partition: keys.storefront(storefrontId).PK,
      sort: { beginsWith: keys.storefrontKeysPrefix },
    };
    for await (const record of queryAll(this.table, spec, (item) => parseItem(StorefrontKeyEntity, item))) {
      records.push(record);
    }
    return records;
  }

  /** Revokes both items at once; revoking a revoked key is a no-op that returns it. */
  async revoke(storefrontId: string, keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined> {
    const item = await getItem(this.table, keys.storefrontKey(storefrontId, keyId));
    if (!item) return undefined;
    const record = parseItem(StorefrontKeyEntity, item);
    if (record.status === 'revoked') return record;
    const update = {
      UpdateExpression: 'SET #status = :revoked, revokedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':at': revokedAt },
      ConditionExpression: 'attribute_exists(PK)',
    };
    const outcome = await transactWrite(this.table, [
      { label: 'hash', item: { Update: { Key: keys.apiKey(record.keyHash), ...update } } },
      { label: 'storefront', item: { Update: { Key: keys.storefrontKey(storefrontId, keyId), ...update } } },
    ]);
    if (!outcome.ok) throw new Error(`API key ${keyId} changed while it was being revoked; retry`);
    return { ...record, status: 'revoked', revokedAt };
  }
}
