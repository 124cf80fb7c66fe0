import { getEventBridgeClient } from '../adapters/aws-clients.js';
import { dynamoLedgerFeed } from '../adapters/dynamo/ledger-feed.js';
import { EventBridgePublisher } from '../adapters/eventbridge/event-publisher.js';
import { ConfigError } from '../config/app.js';
import type { AccountingEventDeps } from '../core/usecases/accounting-events.js';

let memo: AccountingEventDeps | undefined;

/** What the accounting-events function needs: the table's stream read as the ledger, and the bus. */
export function accountingEventServices(): AccountingEventDeps {
  if (!memo) {
    const busName = process.env.EVENT_BUS_NAME;
    if (!busName) throw new ConfigError('EVENT_BUS_NAME', 'is required');
    memo = { publisher: new EventBridgePublisher(getEventBridgeClient(), busName), ledger: dynamoLedgerFeed };
  }
  return memo;
}
