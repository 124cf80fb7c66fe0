import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emulatorClientConfig } from '../../infra/local/emulators.js';
import { SellerRepository } from '../../shared/adapters/dynamo/seller-repository.js';
import { TEST_SELLERS } from '../builders/sellers.js';

/**
 * Registers the test sellers (`TEST_SELLERS`, what `anOrder` lines name) in a test table, as an operator
 * would through `POST /v1/sellers`, so every test can place orders. Run where the test tables are made:
 * the global setup (the shared table) and `useIsolatedTable`. Registering twice is harmless.
 */
export async function registerTestSellers(endpoint: string, tableName: string): Promise<void> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(endpoint)));
  try {
    const sellers = new SellerRepository({ client, tableName });
    const createdAt = '2026-01-01T00:00:00.000Z';
    for (const seller of TEST_SELLERS) {
      // false: already registered (a table kept from an earlier file): nothing to do.
      await sellers.create({ ...seller, createdAt, updatedAt: createdAt });
    }
  } finally {
    client.destroy();
  }
}
