/**
 * Endpoints, names and the environment of the local stack. Kept free of SDK imports: the vitest setup file
 * loads it in every test worker.
 */

import { vatCategoriesOf } from '../../shared/config/app.js';
import { ENV } from '../../shared/config/env.js';
import { PLATFORM_ENV } from '../../shared/config/platform.js';
import { DEFAULT_ECB_MARGIN_POINTS, PUBLISHED_ECB_RATES } from '../../shared/core/domain/late-penalty.js';

/** Region and credentials the emulators accept (s3rver insists on S3RVER/S3RVER; the others take anything). */
export const LOCAL_REGION = 'eu-west-3';
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  /** SES API; also serves the mailbox web UI at `/` and the captured mail at `GET /store`. */
  ses: string;
  /** The local Step Functions endpoint (infra/local/sfn-endpoint.ts), when one runs. */
  sfn?: string;
  /** The local EventBridge endpoint, the accounting bus's log (infra/local/events-endpoint.ts), when one runs. */
  events?: string;
  /** The fake approved platform (infra/local/fake-platform.ts), when one runs: its base URL. */
  platform?: string;
}

/** The accounting bus's name locally (the stack names it `<stack>-accounting`). */
export const LOCAL_EVENT_BUS_NAME = 'deferred-billing-accounting';

export interface LocalResourceNames {
  tableName: string;
  invoiceBucketName: string;
}

/** The billing workflow's ARN on the local Step Functions endpoint (region `local`, as Step Functions Local does). */
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:billing-run';

/** The ARN of the execution named `name` of a state machine, as Step Functions forms it. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Sender address of invoice emails locally (any address goes: the SES emulator verifies nothing). */
export const LOCAL_INVOICE_SENDER = 'factures@marketplace.example';

/**
 * A fictitious marketplace operator, issuer of every local invoice (shape: `issuerSchema` in
 * shared/contracts/schemas/invoice.ts). SIREN (Luhn key), VAT id (key 81), IBAN (the banks' documentation example) and BIC are
 * well-formed and belong to nobody.
 */
export const LOCAL_ISSUER = {
  entityId: 'MKT',
  legalName: 'Marketplace Démo SAS',
  legalForm: 'SAS',
  address: { line1: '10 rue de Rivoli', postalCode: '75001', city: 'Paris', country: 'FR' },
  siren: '841234560',
  vatId: 'FR81841234560',
  shareCapital: '100 000 EUR',
  rcs: 'RCS Paris 841 234 560',
  email: LOCAL_INVOICE_SENDER,
  // ECB rate of the half-year + 10 points (shared/core/domain/late-penalty.ts says where the rates come from).
  latePenalty: { ecbMarginPoints: DEFAULT_ECB_MARGIN_POINTS, ecbRates: PUBLISHED_ECB_RATES },
  iban: 'FR7630006000011234567890189',
  bic: 'DEMOFRPPXXX',
  vatOnDebits: false,
  // The article that exempts the demo's training lines (category E; intake refuses E without it).
  vatExemptions: {
    E: { code: 'VATEX-FR-CGI261-4', reason: 'Exonération de TVA, article 261-4-4° du CGI' },
  },
} as const;

/**
 * Who we are to the fake approved platform locally: its one OAuth2 client, and the key its webhooks are
 * signed with (base64). Local values, known to everyone: the fake listens on 127.0.0.1 only.
 */
export const LOCAL_PLATFORM = {
  clientId: 'deferred-billing-local',
  clientSecret: 'local-platform-client-secret',
  webhookSecret: Buffer.from('local fake platform webhook signing key').toString('base64'),
} as const;

/** The platform's variables for a fake platform at `baseUrl` (its Flow, Directory and token services). */
export function platformEnvironment(baseUrl: string): Record<string, string> {
  return {
    [PLATFORM_ENV.flowServiceUrl]: `${baseUrl}/flow`,
    [PLATFORM_ENV.directoryServiceUrl]: `${baseUrl}/directory`,
    [PLATFORM_ENV.tokenUrl]: `${baseUrl}/oauth/token`,
    [PLATFORM_ENV.clientId]: LOCAL_PLATFORM.clientId,
    [PLATFORM_ENV.credentials]: JSON.stringify({
      clientSecret: LOCAL_PLATFORM.clientSecret,
      webhookSecret: LOCAL_PLATFORM.webhookSecret,
    }),
  };
}

/**
 * The environment that points the app's SDK clients at the emulators, through the SDK's standard variables
 * only: application code never knows it runs locally.
 */
export function localEnvironment(
  endpoints: LocalEndpoints,
  names: LocalResourceNames,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [ENV.tableName]: names.tableName,
    [ENV.invoiceBucketName]: names.invoiceBucketName,
    [ENV.marketplaceTimeZone]: 'Europe/Paris',
    ...(endpoints.sfn ? { AWS_ENDPOINT_URL_SFN: endpoints.sfn } : {}),
    ...(endpoints.events ? { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.events } : {}),
    ...(endpoints.platform ? platformEnvironment(endpoints.platform) : {}),
    [ENV.eventBusName]: LOCAL_EVENT_BUS_NAME,
    [ENV.stateMachineArn]: LOCAL_STATE_MACHINE_ARN,
    [ENV.issuer]: JSON.stringify(LOCAL_ISSUER),
    [ENV.vatCategories]: vatCategoriesOf(LOCAL_ISSUER).join(','),
    [ENV.invoiceSender]: LOCAL_INVOICE_SENDER,
    // Where sign-in links lead (`npm start` points it at its own port).
    [ENV.buyerPortalUrl]: 'http://127.0.0.1:3000/portal/sign-in',
    // No review window locally: a run numbers and sends right after building.
    [ENV.reviewWindowHours]: '0',
    // The SES emulator has no GetSendQuota (nor a quota): a fixed rate, generous enough for parallel tests.
    [ENV.sesMaxSendRate]: '50',
    // A configuration set's name: the emulator accepts and ignores it (and the tags); sends carry them as on AWS.
    [ENV.sesConfigurationSet]: 'deferred-billing-local',
    // Webhooks may reach a receiver on 127.0.0.1 (the local one, the tests'): never set on AWS.
    [ENV.webhookAllowPrivateTargets]: 'loopback',
  };
}
