import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTHORIZER_CACHE_SECONDS, parseAuthorizerCacheSeconds } from '../../shared/core/domain/api-keys.js';

/** Paths, names and ports of the local stack (`npm start`, `npm run reset`). `.local/` is git-ignored. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LOCAL_DIR = join(REPO_ROOT, '.local');
export const CACHE_DIR = join(LOCAL_DIR, 'cache');
export const DATA_DIR = join(LOCAL_DIR, 'data');
/** The local accounting bus's log: one JSON event per line (`npm start`). */
export const EVENTS_LOG = join(DATA_DIR, 'events.ndjson');
/** The fake approved platform's flows, kept across restarts (`npm start`). */
export const PLATFORM_DATA = join(DATA_DIR, 'platform.json');
export const DEMO_KEYS_FILE = join(LOCAL_DIR, 'demo-keys.json');
/** Written by `npm start` while it runs: `{ pid, ports }`. */
export const STACK_FILE = join(LOCAL_DIR, 'stack.json');
/** Where `npm run demo` copies the invoice PDFs it finds in the local bucket, for opening them directly. */
export const DEMO_INVOICES_DIR = join(LOCAL_DIR, 'demo-invoices');
/**
 * The demo buyer: `npm run demo` invites this person (admin, French) to the demo accounts it bills, and
 * `npm start` prints it beside the portal's URL. Sign in with it: the link and code land in the mailbox.
 */
export const DEMO_BUYER = { email: 'achats@boulangeries-martin.example', name: 'Claire Martin' } as const;
export const LOCAL_NAMES = { tableName: 'deferred-billing', invoiceBucketName: 'deferred-billing-invoices' };

export interface LocalPorts {
  api: number;
  dynamodb: number;
  s3: number;
  ses: number;
  /** The local Step Functions endpoint (infra/local/sfn-endpoint.ts). */
  sfn: number;
  /** The local EventBridge endpoint, the accounting bus's log (infra/local/events-endpoint.ts). */
  events: number;
  /** The fake approved platform (infra/local/fake-platform.ts). */
  platform: number;
  /** The webhook test receiver (infra/local/webhook-receiver.ts): register its URL as an endpoint. */
  webhookReceiver: number;
}

/**
 * PORT (3000), DYNAMODB_PORT (8000), S3_PORT (4569), MAILBOX_PORT (8005), SFN_PORT (8083), EVENTS_PORT (8084),
 * PLATFORM_PORT (8085), WEBHOOK_RECEIVER_PORT (8086).
 */
export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  const port = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new Error(`${name} must be a port number`);
    return value;
  };
  return {
    api: port('PORT', 3000),
    dynamodb: port('DYNAMODB_PORT', 8000),
    s3: port('S3_PORT', 4569),
    ses: port('MAILBOX_PORT', 8005),
    sfn: port('SFN_PORT', 8083),
    events: port('EVENTS_PORT', 8084),
    platform: port('PLATFORM_PORT', 8085),
    webhookReceiver: port('WEBHOOK_RECEIVER_PORT', 8086),
  };
}

/**
 * `AUTHORIZER_CACHE_SECONDS`: how long the local adapter reuses an authorizer answer per API key, so how long
 * a revoked key keeps working locally (default: the deployed stack's, 10 s; 0 turns the cache off).
 */
export function localAuthorizerCacheSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.AUTHORIZER_CACHE_SECONDS;
  return value === undefined || value === ''
    ? AUTHORIZER_CACHE_SECONDS.default
    : parseAuthorizerCacheSeconds(value, 'AUTHORIZER_CACHE_SECONDS');
}
