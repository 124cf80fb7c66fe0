import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRole } from '../../core/domain/api-keys.js';
import { keys } from './table.js';

/** An API key as stored: the hash is the key, the secret is never kept. */
export interface ApiKeyRecord {
  keyId: string;
  keyHash: string;
  role: ApiKeyRole;
  storefrontId?: string;
  status: 'active' | 'revoked';
  lastFour: string;
  createdAt: string;
  revokedAt?: string;
}

/**
 * API keys. Each key is two items written together: `APIKEY#<hash>` that the authorizer reads with one
 * GetItem, and, for storefront keys, `STOREFRONT#<id>/KEY#<keyId>` so an operator can list and revoke
 * a storefront's keys without ever seeing a hash.
 */
export class ApiKeyRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Strongly consistent: an eventually consistent read right after a revocation may still see the key
   * active, stretching "revoked within the authorizer cache's lifetime" by the replication lag. Behind the
   * cache a key is read about once per lifetime, so the doubled read cost is small.
   */
  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyHash), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  /** Stores a new key; refuses (ConditionalCheckFailed) a hash that already exists. */
  async put(record: ApiKeyRecord): Promise<void> {
    const attributes = fromRecord(record);
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.apiKey(record.keyHash), entity: 'ApiKey', ...attributes },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
    if (record.storefrontId) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.storefrontKey(record.storefrontId, record.keyId),
            entity: 'StorefrontKey',
            ...attributes,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
    }
    await this.client.send(new TransactWriteCommand({ TransactItems: items }));
  }

  async listForStorefront(storefrontId: string): Promise<ApiKeyRecord[]> {
    const { PK } = keys.storefront(storefrontId);
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :key)',
          ExpressionAttributeValues: { ':pk': PK, ':key': 'KEY#' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  /** Revokes both items at once; revoking a revoked key is a no-op that returns it. */
  async revoke(storefrontId: string, keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.storefrontKey(storefrontId, keyId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const record = toRecord(Item);
    if (record.status === 'revoked') return record;
    const update = {
      UpdateExpression: 'SET #status = :revoked, revokedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':at': revokedAt },
      ConditionExpression: 'attribute_exists(PK)',
    };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: this.tableName, Key: keys.apiKey(record.keyHash), ...update } },
          { Update: { TableName: this.tableName, Key: keys.storefrontKey(storefrontId, keyId), ...update } },
        ],
      }),
    );
    return { ...record, status: 'revoked', revokedAt };
  }
}

function fromRecord(record: ApiKeyRecord) {
  return {
    keyId: record.keyId,
    keyHash: record.keyHash,
    role: record.role,
    storefrontId: record.storefrontId,
    status: record.status,
    lastFour: record.lastFour,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  };
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: item.keyId as string,
    keyHash: item.keyHash as string,
    role: item.role as ApiKeyRole,
    ...(item.storefrontId ? { storefrontId: item.storefrontId as string } : {}),
    status: item.status as ApiKeyRecord['status'],
    lastFour: item.lastFour as string,
    createdAt: item.createdAt as string,
    ...(item.revokedAt ? { revokedAt: item.revokedAt as string } : {}),
  };
}
