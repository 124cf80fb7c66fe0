import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Seller, UpdateSellerInput } from '../../contracts/schemas/seller.js';
import { listByType } from './cursor.js';
import { keys } from './table.js';

/** BatchGetItem reads at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;

/** Sellers: who supplies what storefronts sell, printed by legal name on documents. Never deleted. */
export class SellerRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Registers a seller; false when the id is taken (the item is conditioned on absence). */
  async create(seller: Seller): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.seller(seller.sellerId),
            ...keys.listing('SELLER', seller.createdAt, seller.sellerId),
            entity: 'Seller',
            ...seller,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(sellerId: string): Promise<Seller | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.seller(sellerId), ConsistentRead: true }),
    );
    return Item ? toSeller(Item) : undefined;
  }

  /**
   * Changes a seller's name or ids (a `null` SIREN or VAT id removes it); undefined when there is no such
   * seller (the update is conditioned on its existence, so a PATCH never creates one).
   */
  async update(sellerId: string, patch: UpdateSellerInput, now: string): Promise<Seller | undefined> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    const removes: string[] = [];
    for (const attribute of ['legalName', 'siren', 'vatId'] as const) {
      const value = patch[attribute];
      if (value === undefined) continue;
      names[`#${attribute}`] = attribute;
      if (value === null) {
        removes.push(`#${attribute}`);
      } else {
        values[`:${attribute}`] = value;
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.seller(sellerId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toSeller(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * The legal names of those of these sellers that are registered, in one strongly consistent BatchGetItem
   * per 100 ids (a seller registered a moment ago is found), retrying what DynamoDB leaves unprocessed.
   */
  async legalNames(sellerIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(sellerIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let requested: Record<string, unknown>[] | undefined = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map((id) => keys.seller(id));
      while (requested && requested.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: requested,
                ConsistentRead: true,
                ProjectionExpression: 'sellerId, legalName',
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          found.set(item.sellerId as string, item.legalName as string);
        }
        requested = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /** All sellers, oldest first, a page at a time (a Query on ListByType, never a Scan). */
  async list(limit: number, cursor?: string): Promise<{ items: Seller[]; nextCursor?: string }> {
    return listByType(this.client, this.tableName, 'SELLER', { limit, cursor }, toSeller);
  }
}

function toSeller(item: Record<string, unknown>): Seller {
  return {
    sellerId: item.sellerId as string,
    legalName: item.legalName as string,
    ...(item.siren ? { siren: item.siren as string } : {}),
    ...(item.vatId ? { vatId: item.vatId as string } : {}),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}
