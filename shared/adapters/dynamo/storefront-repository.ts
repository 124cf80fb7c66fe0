import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Storefront } from '../../contracts/schemas/storefront.js';
import { listByType } from './cursor.js';
import { keys } from './table.js';

/** Storefronts: the clients that place orders on behalf of enrolled accounts. */
export class StorefrontRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(storefront: Storefront): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.storefront(storefront.storefrontId),
          ...keys.listing('STOREFRONT', storefront.createdAt, storefront.storefrontId),
          entity: 'Storefront',
          ...storefront,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async get(storefrontId: string): Promise<Storefront | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.storefront(storefrontId) }),
    );
    return Item ? toStorefront(Item) : undefined;
  }

  /** Which of these ids are not registered storefronts (one BatchGetItem, at most 100 ids). */
  async findUnknown(storefrontIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(storefrontIds)];
    if (unique.length === 0) return [];
    const found = new Set<string>();
    let requested: Record<string, unknown>[] | undefined = unique.map((id) => keys.storefront(id));
    while (requested && requested.length > 0) {
      const result: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: requested, ProjectionExpression: 'storefrontId' } },
        }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) found.add(item.storefrontId as string);
      requested = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return unique.filter((id) => !found.has(id));
  }

  async list(limit: number, cursor?: string): Promise<{ items: Storefront[]; nextCursor?: string }> {
    return listByType(this.client, this.tableName, 'STOREFRONT', { limit, cursor }, toStorefront);
  }
}

function toStorefront(item: Record<string, unknown>): Storefront {
  return {
    storefrontId: item.storefrontId as string,
    name: item.name as string,
    createdAt: item.createdAt as string,
  };
}
