import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../adapters/aws-clients.js';
import { AccountRepository } from '../adapters/dynamo/account-repository.js';
import { ApiKeyRepository } from '../adapters/dynamo/api-key-repository.js';
import { OrderRepository } from '../adapters/dynamo/order-repository.js';
import { SellerRepository } from '../adapters/dynamo/seller-repository.js';
import { StorefrontRepository } from '../adapters/dynamo/storefront-repository.js';
import { type AppConfig, loadConfig } from '../config/app.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import { AccountSnapshots } from '../core/usecases/account-snapshots.js';
import { SellerDirectory } from '../core/usecases/seller-directory.js';

/** Everything the use cases need, wired once per container (the composition root). */
export interface Services {
  config: AppConfig;
  accounts: AccountRepository;
  orders: OrderRepository;
  storefronts: StorefrontRepository;
  apiKeys: ApiKeyRepository;
  sellers: SellerRepository;
  accountSnapshots: AccountSnapshots;
  sellerDirectory: SellerDirectory;
  clock: Clock;
  timeZone: string;
  vatRates: readonly number[];
}

export function createServices(
  config: AppConfig = loadConfig(),
  client: DynamoDBDocumentClient = getDocumentClient(),
  clock: Clock = systemClock,
): Services {
  const table = { client, tableName: config.tableName };
  return {
    config,
    accounts: new AccountRepository(table),
    orders: new OrderRepository(table),
    storefronts: new StorefrontRepository(table),
    apiKeys: new ApiKeyRepository(table),
    sellers: new SellerRepository(table),
    accountSnapshots: new AccountSnapshots(),
    sellerDirectory: new SellerDirectory(),
    clock,
    timeZone: config.marketplaceTimeZone,
    vatRates: config.vatRates,
  };
}

let memo: Services | undefined;

/** The container's services, built on first use (not at import, so tests can set the environment first). */
export function services(): Services {
  memo ??= createServices();
  return memo;
}
