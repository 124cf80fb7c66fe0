/**
 * `npm start`: the whole product on this machine. DynamoDB Local, s3rver and the SES emulator (data kept in
 * `.local/data` across restarts), the API handlers behind the local API Gateway adapter, the billing workflow
 * behind a local Step Functions endpoint (run in-process from the CDK definition), and demo data seeded once
 * through the API itself. Ctrl-C stops everything.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { ApiKeyRepository } from '../../shared/adapters/dynamo/api-key-repository.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import { PLATFORM_ENV } from '../../shared/config/platform.js';
import { hashApiKey, isWellFormedCredential } from '../../shared/core/domain/api-keys.js';
import { issueApiKey } from '../../shared/core/usecases/api-keys.js';
import { DEMO_ACCOUNTS } from '../../test/builders/accounts.js';
import { exampleOrder } from '../../test/builders/orders.js';
import { ACCOUNTING_FEED_ENTITIES } from '../constructs/accounting-events.js';
import { registerDemoSellers } from './demo-sellers.js';
import { officialFlowValidator, validatorMissing } from './einvoice-validator.js';
import {
  createBucketIfMissing,
  createTableIfMissing,
  LOCAL_PLATFORM,
  type LocalStack,
  localEnvironment,
  startLocalStack,
} from './emulators.js';
import { type EventsEndpoint, startEventsEndpoint } from './events-endpoint.js';
import { type FakePlatform, startFakePlatform } from './fake-platform.js';
import { createApiServer, listen } from './http-adapter.js';
import { type LedgerStreamPoller, startLedgerStreamPoller } from './ledger-stream.js';
import { installPolyfills } from './polyfills.js';
import { portIsFree } from './ports.js';
import {
  DATA_DIR,
  DEMO_BUYER,
  DEMO_KEYS_FILE,
  EVENTS_LOG,
  LOCAL_NAMES,
  localAuthorizerCacheSeconds,
  localPorts,
  PLATFORM_DATA,
  REPO_ROOT,
  STACK_FILE,
} from './settings.js';
import { type SfnEndpoint, startSfnEndpoint } from './sfn-endpoint.js';
import { BillingStateMachine } from './state-machine.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
import { type LocalWebhooks, startLocalWebhooks } from './webhooks.js';

/** What `.local/demo-keys.json` keeps: secrets cannot be recovered from the hashes in the table. */
interface DemoState {
  operatorKey?: string;
  storefrontId?: string;
  storefrontKey?: string;
  /** Demo account ids by contract reference. */
  accounts?: Record<string, string>;
}

class SeedError extends Error {}

async function readState(): Promise<DemoState> {
  if (!existsSync(DEMO_KEYS_FILE)) return {};
  return JSON.parse(await readFile(DEMO_KEYS_FILE, 'utf8')) as DemoState;
}

async function writeState(state: DemoState): Promise<void> {
  const temporary = `${DEMO_KEYS_FILE}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, DEMO_KEYS_FILE);
}

async function callApi(baseUrl: string, method: string, path: string, apiKey: string, body: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new SeedError(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

function checkedKey(name: string, value: string | undefined, prefix: 'op_' | 'sk_'): string | undefined {
  // The authorizer denies any other shape before reading the table.
  if (value !== undefined && !(isWellFormedCredential(value) && value.startsWith(prefix))) {
    throw new Error(`${name} must be ${prefix} then 32 to 64 characters of A-Z, a-z, 0-9, _ and -`);
  }
  return value;
}

/**
 * Seeds the demo once, step by step, saving progress in `.local/demo-keys.json` so a restart resumes where
 * a failure stopped (an emulator that went away, a refused request) and never duplicates what exists.
 */
async function seed(baseUrl: string, state: DemoState, warn: (message: string) => void): Promise<DemoState> {
  const documents = getDocumentClient();
  const tableName = LOCAL_NAMES.tableName;
  const repo = new ApiKeyRepository({ client: documents, tableName });
  const exists = async (key: Record<string, string>) =>
    Boolean((await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item);
  const ensureKey = async (apiKey: string, role: 'operator' | 'storefront', storefrontId?: string) => {
    const found = await repo.findByHash(hashApiKey(apiKey));
    if (!found) await issueApiKey(repo, { role, apiKey, ...(storefrontId ? { storefrontId } : {}) });
    else if (found.role !== role || found.storefrontId !== storefrontId) {
      warn(`The ${role} demo key is already registered for ${found.role} ${found.storefrontId ?? ''}.`);
    }
  };

  const operatorKey =
    checkedKey('DEMO_OPERATOR_KEY', process.env.DEMO_OPERATOR_KEY, 'op_') ??
    state.operatorKey ??
    `op_demo_${randomUUID().replaceAll('-', '')}`;
  await ensureKey(operatorKey, 'operator');
  state = { ...state, operatorKey };
  await writeState(state);

  if (state.storefrontId && !(await exists(keys.storefront(state.storefrontId)))) {
    state = { operatorKey }; // stale file (data deleted by hand): start over
  }
  if (!state.storefrontId) {
    const created = (await callApi(baseUrl, 'POST', '/v1/storefronts', operatorKey, {
      name: 'Demo Storefront',
    })) as {
      storefront: { storefrontId: string };
      key: { apiKey: string };
    };
    if (typeof created?.storefront?.storefrontId !== 'string' || typeof created.key?.apiKey !== 'string') {
      throw new SeedError(`POST /v1/storefronts answered an unexpected body: ${JSON.stringify(created)}`);
    }
    state = { ...state, storefrontId: created.storefront.storefrontId, storefrontKey: created.key.apiKey };
    await writeState(state);
  }
  const storefrontId = state.storefrontId as string;
  const chosenStorefrontKey = checkedKey('DEMO_STOREFRONT_KEY', process.env.DEMO_STOREFRONT_KEY, 'sk_');
  if (chosenStorefrontKey) {
    await ensureKey(chosenStorefrontKey, 'storefront', storefrontId);
    state = { ...state, storefrontKey: chosenStorefrontKey };
    await writeState(state);
  }

  const accounts = { ...state.accounts };
  for (const account of DEMO_ACCOUNTS) {
    const reference = account.contract.reference;
    const known = accounts[reference];
    if (known && (await exists(keys.account(known)))) continue;
    const created = (await callApi(baseUrl, 'POST', '/v1/accounts', operatorKey, {
      ...account,
      storefrontIds: [storefrontId],
    })) as { accountId: string };
    if (typeof created?.accountId !== 'string') {
      throw new SeedError(`POST /v1/accounts answered an unexpected body: ${JSON.stringify(created)}`);
    }
    accounts[reference] = created.accountId;
    state = { ...state, accounts };
    await writeState(state);
  }
  // Every start: orders name these sellers, and a restart on older data must still find them (409: known).
  try {
    await registerDemoSellers(async (seller) => {
      const response = await fetch(`${baseUrl}/v1/sellers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(seller),
      });
      return { status: response.status, body: await response.text() };
    });
  } catch (error) {
    throw new SeedError((error as Error).message);
  }
  return state;
}

function banner(
  urls: {
    api: string;
    mailbox: string;
    sfn: string;
    events: string;
    platform: string;
    webhookReceiver: string;
  },
  state: DemoState,
  validator: string,
  seedProblem?: string,
): string {
  const accountLines = DEMO_ACCOUNTS.map((account) => {
    const id = state.accounts?.[account.contract.reference] ?? '(not created yet)';
    const limit = (account.creditLimitMinor / 100).toLocaleString('fr-FR');
    return `    ${id}  ${account.legalName} — ${account.billingCycle}, limit ${limit} EUR`;
  });
  const order = exampleOrder(state.accounts?.['DEMO-CTR-001'] ?? '<accountId>');
  return [
    '',
    '══════════════════════ deferred-billing — local stack ══════════════════════',
    `  API          ${urls.api}`,
    `  OpenAPI      ${urls.api}/v1/openapi.json`,
    `  Buyer portal ${urls.api}/portal/   (demo buyer ${DEMO_BUYER.email}, invited by \`npm run demo\`;`,
    '               its sign-in link and code land in the mailbox)',
    `  Mailbox      ${urls.mailbox}/   (emails "sent" through SES: the invoices whose channel includes email)`,
    `  Invoice PDFs ${relative(REPO_ROOT, join(DATA_DIR, 's3', LOCAL_NAMES.invoiceBucketName))}/   (the local bucket)`,
    `  Workflow     ${urls.sfn}   (Step Functions API, state machine billing-run)`,
    `  Events       ${urls.events}/events   (the accounting bus: every money movement; also ${relative(REPO_ROOT, EVENTS_LOG)})`,
    `  Platform     ${urls.platform}/   (the fake approved platform: e-invoice flows and their statuses)`,
    `               validates with ${validator}`,
    `  Webhooks     ${urls.webhookReceiver}/received   (a test receiver: register ${urls.webhookReceiver}/hook as an`,
    '               endpoint with POST /v1/webhooks; PUT /behaviour {"status":503} makes it fail)',
    '',
    `  Operator key     ${state.operatorKey ?? '(none)'}`,
    `  Storefront       ${state.storefrontId ?? '(not created yet)'}  "Demo Storefront"`,
    `  Storefront key   ${state.storefrontKey ?? '(not created yet)'}`,
    '  Demo accounts',
    ...accountLines,
    ...(seedProblem
      ? ['', `  ⚠ Demo seeding incomplete: ${seedProblem}`, '    It resumes at the next start.']
      : []),
    '',
    '  Place an order (use a new Idempotency-Key for each order):',
    `  curl -sS -X POST ${urls.api}/v1/orders \\`,
    `    -H 'Authorization: Bearer ${state.storefrontKey ?? '<storefront key>'}' \\`,
    `    -H 'Idempotency-Key: ${randomUUID()}' \\`,
    "    -H 'Content-Type: application/json' \\",
    `    -d '${JSON.stringify(order)}'`,
    '',
    '  See the billing loop: `npm run demo` (orders in the last closed periods, then a billing run);',
    '  run one yourself: `npm run billing-run -- --cut-off YYYY-MM-DD`.',
    '',
    `  Keys are kept in ${DEMO_KEYS_FILE}; \`npm run reset\` wipes data and keys.`,
    '  Ctrl-C to stop.',
    '═════════════════════════════════════════════════════════════════════════════',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  installPolyfills();
  const ports = localPorts();
  const authorizerCacheSeconds = localAuthorizerCacheSeconds();
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports))
    if (!(await portIsFree(port))) busy.push(`${name} ${port}`);
  if (busy.length > 0) {
    throw new Error(
      `Ports already in use: ${busy.join(', ')}. Is the stack already running? ` +
        'Otherwise choose others with PORT, DYNAMODB_PORT, S3_PORT, MAILBOX_PORT, SFN_PORT, EVENTS_PORT, PLATFORM_PORT, WEBHOOK_RECEIVER_PORT.',
    );
  }
  await mkdir(DATA_DIR, { recursive: true });
  let live = false;
  const log = (message: string) => console.log(`[local] ${message}`);
  // The workflow's definition comes from synthesizing the CDK stack (seconds, cached in .local/cache):
  // start now, alongside the emulators, rather than on the first billing run.
  const runner = new BillingStateMachine();
  const workflowReady = runner.definition().then(
    (definition) =>
      `Billing workflow loaded from the CDK definition (${definition.tasks.length} task states).`,
    (error: unknown) =>
      `warning: the billing workflow could not be loaded, billing runs will fail until it can: ${(error as Error).message}`,
  );
  log('Starting DynamoDB Local, s3rver and the SES emulator…');
  const stack: LocalStack = await startLocalStack({
    dataDir: DATA_DIR,
    ports: { dynamodb: ports.dynamodb, s3: ports.s3, ses: ports.ses },
    log,
  });
  const server = createApiServer({
    authorizerCacheTtlSeconds: authorizerCacheSeconds,
    log: (line) => live && console.log(`[api] ${line}`),
  });
  let sfn: SfnEndpoint | undefined;
  let events: EventsEndpoint | undefined;
  let platform: FakePlatform | undefined;
  let receiver: WebhookReceiver | undefined;
  let webhooks: LocalWebhooks | undefined;
  let validator = 'well-formedness and root only';
  let ledgerStream: LedgerStreamPoller | undefined;
  let creditNoteStream: LedgerStreamPoller | undefined;
  let exportStream: LedgerStreamPoller | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    // In a terminal, Ctrl-C reaches this process twice (from the tty and relayed by tsx): ignore repeats,
    // and force the exit if stopping hangs.
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 15_000).unref();
    console.log(`\n[local] ${signal}: stopping…`);
    server.closeAllConnections();
    server.close();
    await sfn?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await ledgerStream?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await creditNoteStream?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await exportStream?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await events?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await webhooks?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await receiver?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await platform?.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await stack.stop().catch((error: unknown) => console.error('[local] stop failed:', error));
    await rm(STACK_FILE, { force: true });
    console.log('[local] Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));

  try {
    log(`DynamoDB Local answered after ${stack.dynamodbStartupMs} ms.`);
    if (await createTableIfMissing(stack.endpoints.dynamodb, LOCAL_NAMES.tableName, log)) {
      log(`Created table ${LOCAL_NAMES.tableName}.`);
    }
    if (await createBucketIfMissing(stack.endpoints.s3, LOCAL_NAMES.invoiceBucketName)) {
      log(`Created bucket ${LOCAL_NAMES.invoiceBucketName}.`);
    }
    sfn = await startSfnEndpoint({
      port: ports.sfn,
      runner,
      log: (line) => console.log(`[workflow] ${line}`),
    });
    // The webhook rule's target: each event the bus takes, to the fan-out (bound once webhooks start).
    events = await startEventsEndpoint({
      port: ports.events,
      logFile: EVENTS_LOG,
      onEvent: (event) => webhooks?.route(event),
    });
    receiver = await startWebhookReceiver({ port: ports.webhookReceiver });
    // The official rules where Java, Saxon, xmllint and poppler are installed; else well-formedness only.
    const validatorProblem = await validatorMissing();
    validator = validatorProblem
      ? `well-formedness and root only (${validatorProblem})`
      : 'the official rules (schema, EN 16931, Factur-X 1.09; Saxon, about 9 s a batch)';
    platform = await startFakePlatform({
      port: ports.platform,
      ...LOCAL_PLATFORM,
      ...(validatorProblem ? {} : { validate: officialFlowValidator() }),
      dataFile: PLATFORM_DATA,
      log: (line) => console.log(`[platform] ${line}`),
    });
    log(`The fake platform validates with ${validator}.`);
    Object.assign(
      process.env,
      localEnvironment(
        { ...stack.endpoints, sfn: sfn.endpoint, events: events.endpoint, platform: platform.url },
        LOCAL_NAMES,
      ),
      // A deposit waits for its validation: with the official rules, longer than the 10 s default.
      validatorProblem ? {} : { [PLATFORM_ENV.timeoutMs]: '60000' },
      // The sign-in email's link leads to this stack's portal.
      { [ENV.buyerPortalUrl]: `http://127.0.0.1:${ports.api}/portal/sign-in` },
    );
    // Webhooks: the fan-out as the bus rule's target, the dispatcher every minute.
    webhooks = await startLocalWebhooks({ log: (line) => console.log(`[webhooks] ${line}`) });
    // The event source mapping of the accounting feed: ledger entries → accounting-events → the local bus.
    const { handler: publishAccountingEvents } = await import('../../functions/accounting-events/handler.js');
    ledgerStream = await startLedgerStreamPoller({
      dynamodbEndpoint: stack.endpoints.dynamodb,
      tableName: LOCAL_NAMES.tableName,
      functionName: 'accounting-events',
      entity: ACCOUNTING_FEED_ENTITIES,
      handler: (event, context) => publishAccountingEvents(event, context),
      log: (line) => console.log(`[events] ${line}`),
    });
    // And the one of credit note delivery: each new credit note's PDF stored and emailed.
    const { handler: deliverCreditNotes } = await import('../../functions/credit-note-delivery/handler.js');
    creditNoteStream = await startLedgerStreamPoller({
      dynamodbEndpoint: stack.endpoints.dynamodb,
      tableName: LOCAL_NAMES.tableName,
      entity: 'CreditNote',
      functionName: 'credit-note-delivery',
      handler: (event, context) => deliverCreditNotes(event, context),
      log: (line) => console.log(`[credit notes] ${line}`),
    });
    // And the export builder's: each export asked for (a new BookExport, pending) built into its file.
    const { handler: buildExports } = await import('../../functions/accounting-export-builder/handler.js');
    exportStream = await startLedgerStreamPoller({
      dynamodbEndpoint: stack.endpoints.dynamodb,
      tableName: LOCAL_NAMES.tableName,
      entity: 'BookExport',
      functionName: 'accounting-export-builder',
      handler: (event, context) => buildExports(event, context),
      log: (line) => console.log(`[exports] ${line}`),
    });
    const apiUrl = await listen(server, ports.api);
    await writeFile(STACK_FILE, JSON.stringify({ pid: process.pid, ports }));
    // The fake's webhooks to our callback route, as the platform is told at subscription: a move made on
    // its page reaches the invoice at once (`npm run platform-sync` is the poll, the safety net).
    await fetch(`${platform.url}/control/callback`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${apiUrl}/v1/platform/callbacks` }),
    });

    let state = await readState();
    let seedProblem: string | undefined;
    try {
      state = await seed(apiUrl, state, (message) => log(`warning: ${message}`));
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      seedProblem = error.message;
      state = await readState();
    }
    log(await workflowReady);
    console.log(
      banner(
        {
          api: apiUrl,
          mailbox: stack.endpoints.ses,
          sfn: sfn.endpoint,
          events: events.endpoint,
          platform: platform.url,
          webhookReceiver: receiver.url,
        },
        state,
        validator,
        seedProblem,
      ),
    );
    live = true;
  } catch (error) {
    server.close();
    await sfn?.stop().catch(() => {});
    await ledgerStream?.stop().catch(() => {});
    await creditNoteStream?.stop().catch(() => {});
    await exportStream?.stop().catch(() => {});
    await events?.stop().catch(() => {});
    await webhooks?.stop().catch(() => {});
    await receiver?.stop().catch(() => {});
    await platform?.stop().catch(() => {});
    await stack.stop().catch(() => {});
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`[local] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
