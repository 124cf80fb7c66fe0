import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INDEXES, type IndexDefinition } from '../../shared/adapters/dynamo/table.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../shared/config/env.js';
import type { RouteAuthentication } from '../../shared/contracts/http/routes/definition.js';
import {
  API_FUNCTIONS,
  type ApiFunctionName,
  authorizerOf,
  ROUTES,
  type RouteDefinition,
  routeKey,
} from '../../shared/contracts/http/routes/index.js';
import { AUTHORIZER_CACHE_SECONDS, parseAuthorizerCacheSeconds } from '../../shared/core/domain/api-keys.js';
import type { ApprovedPlatformConnection } from './approved-platform.js';
import { INVOICE_FONT_FILES, INVOICE_KEY_PREFIX } from './billing-workflow.js';
import { CREDIT_NOTE_KEY_PREFIX } from './credit-note-delivery.js';
import type { DataTable } from './data-table.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction, type TableAccess } from './project-function.js';
import { type OperationId, throttleOf } from './route-throttles.js';
import { allowSendingAs } from './shared-resources.js';

/**
 * Least privilege per API function. A `Record` over `ApiFunctionName`, so a new function does not compile
 * until its access is decided here.
 */
export const API_TABLE_ACCESS: Readonly<Record<ApiFunctionName, TableAccess | 'none'>> = {
  // One transaction: idempotency record (Put), order and lookup (Put), exposure (Update, conditioned),
  // period still open (ConditionCheck); the replay of an idempotency key is a GetItem; sellers the
  // container does not know yet are read with one BatchGetItem.
  'orders-create': ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  'orders-read': 'read',
  // Marks the order cancelled and releases its exposure, both conditional updates.
  'orders-cancel': ['GetItem', 'UpdateItem'],
  accounts: 'readWrite',
  storefronts: 'readWrite',
  // Registers (conditional Put), reads (GetItem), renames (conditional Update) and lists (Query on
  // ListByType) sellers; never deletes one.
  sellers: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  // Creates the run record before starting its execution; reads runs (item and failures) and, for a
  // preview, the account and its orders.
  'billing-runs': ['GetItem', 'Query', 'PutItem'],
  // Reads invoices (by id, by account); holds or releases a draft with a conditional update.
  invoices: ['GetItem', 'Query', 'UpdateItem'],
  // A payment or reversal is one transaction of Puts (idempotency, payment, ledger, history) and
  // conditional Updates (invoices, account); reads are GetItem and Queries on the table's own keys, and an
  // invoice's credit notes are read as they are now with BatchGetItem.
  payments: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
  // Finds the invoice a status is about (lookup item, number item, the invoice: GetItem) and records the
  // statuses in one transaction: the invoice's history (conditional Update) and one outbox item each (Put).
  'platform-callbacks': ['GetItem', 'PutItem', 'UpdateItem'],
  // Buyers, memberships, tokens (GetItem; Query of a buyer's or an account's partition), written in
  // transactions of conditional Puts and Deletes with their audit entries; sign-in challenges (Put,
  // the wrong-code count an Update), rate-limit counters (conditional Update); sessions read and deleted.
  buyers: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  // Reads only: the account, orders, invoices, credit notes and payments (GetItem, Queries on the table's
  // keys and on OpenInvoicesOfAccount); the e-invoice XML is written to S3 by presigned request, not here.
  buyer: ['GetItem', 'Query'],
  // The statement's PDF: the account (GetItem) and its open invoices (Query on OpenInvoicesOfAccount).
  'buyer-statement-pdf': ['GetItem', 'Query'],
  // Replays read the ledger (Query on the account's partition or on LedgerByMonth, then the entries by
  // key with BatchGetItem), check the account (GetItem), record each call (conditional Put) and list them
  // (Query on the table's keys).
  'event-replays': ['GetItem', 'BatchGetItem', 'Query', 'PutItem'],
  // The books' exports as asked for: a new export and its idempotency record (one transaction of
  // conditional Puts), the history (GetItem, Query on the table's keys). The build is the export builder's.
  accounting: ['GetItem', 'Query', 'PutItem'],
  // Endpoints: created (conditional Put), read, changed (conditional Update), deleted (a conditional Delete
  // in a one-item transaction), listed (Query on ListByType, then BatchGetItem); deliveries read (GetItem,
  // Query of the endpoint's partition) and put back in their queue (a transaction of a conditional Update,
  // a Put and an Update). It never sends anything: no network grant, no secret read elsewhere.
  webhooks: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  openapi: 'none',
};

/**
 * Indexes an API function may `Query`, when not every index (the `useTable` default): the billing API reads
 * runs, accounts, orders and invoices through the table's own keys; sellers are listed through ListByType.
 */
export const API_QUERY_INDEXES: Readonly<Partial<Record<ApiFunctionName, readonly IndexDefinition[]>>> = {
  sellers: [INDEXES.listByType],
  'billing-runs': [],
  invoices: [],
  payments: [],
  // The overview and the statement read one account's open invoices through its sparse index, nothing else.
  buyer: [INDEXES.openInvoicesOfAccount],
  'buyer-statement-pdf': [INDEXES.openInvoicesOfAccount],
  'platform-callbacks': [],
  buyers: [],
  'event-replays': [INDEXES.ledgerByMonth],
  accounting: [],
  webhooks: [INDEXES.listByType],
};

/** The API function that starts and follows billing runs (`states:StartExecution`, `DescribeExecution`). */
export const BILLING_RUNS_FUNCTION = 'billing-runs';
/**
 * The API function that hands out short-lived links to invoice and credit-note PDFs and e-invoices
 * (`s3:GetObject` on `invoices/*` and `credit-notes/*`) and writes the e-invoice XML there (`*.xml`).
 */
export const INVOICES_FUNCTION = 'invoices';
/** The buyer API signs the same links (its own account's documents only) with the same grants. */
export const BUYER_FUNCTION = 'buyer';
/** The buyer's statement as a PDF: the issuer and the invoices' fonts, no S3. */
const BUYER_STATEMENT_PDF_FUNCTION = 'buyer-statement-pdf';

/**
 * The books' exports as asked for: records each export pending (the export builder writes its file) and
 * signs links to the files under `exports/` (`grantBookExports`); reads the issuer (the FEC's SIREN).
 */
export const ACCOUNTING_FUNCTION = 'accounting';
/**
 * The export builder's Node options: a bounded young generation and old space make V8 collect as the
 * file streams out instead of growing the heap with garbage, so peak memory stays flat from 1,000 to
 * 100,000 entries (the live data is the lettering pass: a few numbers per invoice of the range). The
 * bench (accounting section) runs the export with these very options.
 */
export const ACCOUNTING_NODE_OPTIONS =
  '--enable-source-maps --max-old-space-size=256 --max-semi-space-size=8';

/** The approved platform's webhook: its variables, its secret (the signing key) and the issuer. */
export const PLATFORM_CALLBACKS_FUNCTION = 'platform-callbacks';
const ORDERS_CREATE_FUNCTION = 'orders-create';
/**
 * Memory of order intake and the authorizer, on every order: both wait on DynamoDB (the handler's own time
 * is under 1 ms of its 7, bench intake section), so 512 MB rather than the 1 GB default halves what each
 * order pays in GB-seconds. A cold start is slower at less CPU; it is rare under steady intake.
 */
const ORDER_PATH_MEMORY_MB = 512;

/**
 * The authorizer looks an API key or a buyer token up by its hash (GetItem), checks a buyer session and
 * pushes its idle expiry in one conditional UpdateItem, and reads the buyer's memberships (Query on the
 * table's own keys, no index).
 */
export const AUTHORIZER_TABLE_ACCESS: TableAccess = ['GetItem', 'UpdateItem', 'Query'];

/** The API function that invites buyers and emails their sign-in links (the product's sender). */
export const BUYERS_FUNCTION = 'buyers';

/** The API function that replays accounting events from the ledger (`events:PutEvents` on the product's bus). */
export const EVENT_REPLAYS_FUNCTION = 'event-replays';

/**
 * Routes declared public in `shared/contracts/http/routes/` (`roles: []`) and why they may skip the authorizer.
 * Synthesis fails on a public route missing here, so making a route public is always a reviewed decision.
 */
const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'POST /v1/buyer/sign-in':
    'A buyer asks for a sign-in email before holding any credential: the answer is the same for every ' +
    'address (no enumeration), requests are limited per email and per client IP, and the link and code go ' +
    "only to the buyer's own mailbox.",
  'POST /v1/buyer/sessions':
    'A buyer proves the sign-in with the one-time code or link from the email (15 minutes, single use, ' +
    'five wrong codes kill it, limited per client IP); only then is a session opened.',
  'GET /v1/openapi.json':
    'The OpenAPI document is public so integrators can build a client before they hold an API key; ' +
    'it is static, reads no data and reveals no account.',
};

/** Why a public route authenticated otherwise than by API key may skip the authorizer. */
const SIGNED_ROUTE_REASONS: Readonly<Record<RouteAuthentication, string>> = {
  'platform-signature':
    "The approved platform calls this webhook without our API key: its authentication is the platform's " +
    'HMAC signature over the raw body (webhook-id, webhook-timestamp, webhook-signature), checked by the ' +
    'function before anything is read; a call that is not signed, or not recently, gets 401 and changes nothing.',
};

/**
 * Access log line: JSON with the request id that handlers also log, so one id follows a request from the
 * gateway to the function logs.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
  }),
);

export interface BillingHttpApiProps {
  /** The single table the functions read and write. */
  readonly dataTable: DataTable;
  /** IANA time zone in which billing periods are cut, passed to every function. */
  readonly marketplaceTimeZone: string;
  /**
   * VAT rates (percent) order lines may carry, passed to every API function as `VAT_RATES`.
   * @default - France's (`FRANCE_VAT_RATES` in shared/core/domain/vat-rates.ts)
   */
  readonly vatRates?: readonly number[];
  /**
   * VAT categories order lines may carry, passed to every API function as `VAT_CATEGORIES`: the stack
   * derives them from the issuer (`vatCategoriesOf`: E only with the issuer's exemption reason).
   * @default - S, Z, AE and K (`DEFAULT_VAT_CATEGORIES` in shared/config/app.ts)
   */
  readonly vatCategories?: readonly string[];
  /**
   * Throttling of a route the throttle table (`ROUTE_THROTTLES`) does not size; every route of `ROUTES` is
   * sized there, so this is only the stage's default.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * How long an authorizer decision is cached per `Authorization` header value: a revoked API key keeps
   * working for at most this long. 0 turns the cache off; API Gateway accepts up to an hour.
   * @default Duration.seconds(AUTHORIZER_CACHE_SECONDS.default) (10 seconds)
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Retention of the access logs. Three months cover the longest (quarterly) billing cycle, so a disputed
   * invoice can be traced back to the calls that placed its orders.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * The billing-run state machine. The `billing-runs` function (when `API_FUNCTIONS` has it) may start its
   * executions and describe them, and receives its ARN as `STATE_MACHINE_ARN`.
   * @default - no function can start a billing run
   */
  readonly stateMachine?: IStateMachine;
  /**
   * The invoice bucket. The `invoices` function (when `API_FUNCTIONS` has it) may read invoice and credit-note
   * PDFs (to sign download links) and receives its name as `INVOICE_BUCKET_NAME`.
   * @default - no API function reads invoice PDFs
   */
  readonly invoiceBucket?: IBucket;
  /**
   * Environment of the billing API functions (`billing-runs`, `invoices`) beyond the table and time zone:
   * the issuer, sender and review window that previews use.
   * @default - none
   */
  readonly billingEnvironment?: Readonly<Record<string, string>>;
  /**
   * The From address of buyer invitations and sign-in emails (the product's sender); the `buyers` function
   * may send as it only.
   * @default - the buyers function has no sender (its emails fail and are logged)
   */
  readonly buyerSender?: string;
  /**
   * The portal's sign-in page, where the sign-in email's link leads (`?token=…` added).
   * @default - `<the API's URL>portal/sign-in`
   */
  readonly buyerPortalUrl?: string;
  /**
   * The approved platform: the `platform-callbacks` function (the webhook) gets its variables and reads its
   * credentials secret (the webhook signing key), and the issuer (`billingEnvironment`'s ISSUER).
   * @default - the webhook function has no platform to check signatures with (it answers 500)
   */
  readonly platform?: ApprovedPlatformConnection;
  /**
   * The product's accounting bus: the `event-replays` function (when `API_FUNCTIONS` has it) may put events
   * on it and receives its name as `EVENT_BUS_NAME`.
   * @default - no function can replay events (a replay answers 500)
   */
  readonly accountingBus?: IEventBus;
  /**
   * Item 7, with the edge's WAF on: the value CloudFront adds to API requests as `ORIGIN_VERIFY_HEADER`.
   * The authorizer receives it (`ORIGIN_VERIFY`) and denies a call without it, and the header is an identity
   * source of the API-key authorizer, so a call straight to execute-api without it is refused by API
   * Gateway (401) before any function runs, and never served from a cached answer.
   * @default - no check: execute-api may be called directly
   */
  readonly originSecret?: ISecret;
}

/**
 * The HTTP API (API Gateway v2, payload format 2.0): one function per entry of `API_FUNCTIONS`, one route
 * per entry of `ROUTES`, all behind the API-key Lambda authorizer except the routes declared public.
 */
export class BillingHttpApi extends Construct {
  public readonly api: HttpApi;
  /** The `$default` stage, with access logs and throttling. */
  public readonly stage: HttpStage;
  /** The API functions, by name. */
  public readonly functions: Readonly<Record<ApiFunctionName, ProjectFunction>>;
  /** The Lambda authorizer's function. */
  public readonly authorizerFunction: ProjectFunction;
  /** The invoke URL of the default stage. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: BillingHttpApiProps) {
    super(scope, id);
    const environment = {
      [ENV.marketplaceTimeZone]: props.marketplaceTimeZone,
      ...(props.vatRates ? { [ENV.vatRates]: props.vatRates.join(',') } : {}),
      ...(props.vatCategories ? { [ENV.vatCategories]: props.vatCategories.join(',') } : {}),
    };

    this.authorizerFunction = new ProjectFunction(this, 'Authorizer', {
      name: 'authorizer',
      description: 'deferred-billing API key authorizer',
      // One GetItem and a hash a call: it waits on DynamoDB, it does not compute (issue 12: cost per order).
      memorySize: ORDER_PATH_MEMORY_MB,
      timeout: Duration.seconds(5),
      environment,
    }).useTable(props.dataTable, AUTHORIZER_TABLE_ACCESS, { queryIndexes: [] });

    const billingApiFunctions: readonly string[] = [
      BILLING_RUNS_FUNCTION,
      INVOICES_FUNCTION,
      BUYER_FUNCTION,
      BUYER_STATEMENT_PDF_FUNCTION,
      ACCOUNTING_FUNCTION,
    ];
    this.functions = Object.fromEntries(
      API_FUNCTIONS.map((name) => {
        const fn = new ProjectFunction(this, pascalCase(name), {
          name,
          environment: {
            ...(billingApiFunctions.includes(name)
              ? { ...props.billingEnvironment, ...environment }
              : environment),
            // The statement's PDF is drawn with the invoices' fonts, shipped beside the bundle.
            ...(name === BUYER_STATEMENT_PDF_FUNCTION ? { [ENV.invoiceFontDir]: '/var/task' } : {}),
          },
          ...(name === BUYER_STATEMENT_PDF_FUNCTION ? { extraFiles: INVOICE_FONT_FILES } : {}),
          ...(name === ORDERS_CREATE_FUNCTION ? { memorySize: ORDER_PATH_MEMORY_MB } : {}),
          // A replay call publishes for up to 15 s (its budget), inside API Gateway's 29 s.
          ...(name === EVENT_REPLAYS_FUNCTION ? { timeout: Duration.seconds(25) } : {}),
        });
        const access = API_TABLE_ACCESS[name];
        const queryIndexes = API_QUERY_INDEXES[name];
        if (access !== 'none') fn.useTable(props.dataTable, access, queryIndexes ? { queryIndexes } : {});
        return [name, fn];
      }),
    ) as Record<ApiFunctionName, ProjectFunction>;
    // Looked up by name: the code compiles and synthesizes whether or not API_FUNCTIONS has them yet.
    const byName = this.functions as Readonly<Partial<Record<string, ProjectFunction>>>;
    const billingRuns = byName[BILLING_RUNS_FUNCTION];
    if (billingRuns !== undefined && props.stateMachine !== undefined) {
      grantBillingRuns(billingRuns, props.stateMachine);
    }
    const callbacks = byName[PLATFORM_CALLBACKS_FUNCTION];
    if (callbacks !== undefined && props.platform !== undefined) {
      props.platform.grantTo(callbacks);
      const issuer = props.billingEnvironment?.[ENV.issuer];
      if (issuer) callbacks.addEnvironment(ENV.issuer, issuer);
    }
    const replays = byName[EVENT_REPLAYS_FUNCTION];
    if (replays !== undefined && props.accountingBus !== undefined) {
      props.accountingBus.grantPutEventsTo(replays);
      replays.addEnvironment(ENV.eventBusName, props.accountingBus.eventBusName);
    }
    const buyers = byName[BUYERS_FUNCTION];
    if (buyers !== undefined && props.buyerSender !== undefined) {
      allowSendingAs(buyers, props.buyerSender, 'ses:SendEmail');
      buyers.addEnvironment(ENV.invoiceSender, props.buyerSender);
    }
    for (const name of [INVOICES_FUNCTION, BUYER_FUNCTION]) {
      const fn = byName[name];
      if (fn !== undefined && props.invoiceBucket !== undefined) {
        grantInvoiceDownloads(fn, props.invoiceBucket);
      }
    }

    const accounting = byName[ACCOUNTING_FUNCTION];
    if (accounting !== undefined && props.invoiceBucket !== undefined) {
      grantBookExports(accounting, props.invoiceBucket);
    }

    this.api = new HttpApi(this, 'Api', {
      description: 'Deferred billing: orders, accounts, storefronts',
      // The default stage is declared below: HttpApi cannot give its own one access logs.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.stage.url;
    buyers?.addEnvironment(ENV.buyerPortalUrl, props.buyerPortalUrl ?? `${this.url}portal/sign-in`);

    const authorizerCacheSeconds = parseAuthorizerCacheSeconds(
      (props.authorizerCacheTtl ?? Duration.seconds(AUTHORIZER_CACHE_SECONDS.default)).toSeconds(),
      'authorizerCacheTtl',
    );
    if (props.originSecret) {
      this.authorizerFunction.addEnvironment(ENV.originVerify, props.originSecret.secretValue.unsafeUnwrap());
    }
    // A deny (`isAuthorized: false`) is API Gateway's 403, cached per identity source like an allow.
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [
        '$request.header.Authorization',
        ...(props.originSecret ? [`$request.header.${ORIGIN_VERIFY_HEADER}`] : []),
      ],
      resultsCacheTtl: Duration.seconds(authorizerCacheSeconds),
    });
    // Buyer routes: a session cookie or a buyer token. No identity source (HTTP APIs answer 401 without
    // calling the authorizer when one is missing, and a call brings one or the other) and so no cache,
    // which is also what makes a signed-out session or a revoked token dead at the very next call.
    const buyerAuthorizer = new HttpLambdaAuthorizer('BuyerAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    const integrations = Object.fromEntries(
      API_FUNCTIONS.map((name) => [
        name,
        new HttpLambdaIntegration(`${pascalCase(name)}Integration`, this.functions[name]),
      ]),
    ) as Record<ApiFunctionName, HttpLambdaIntegration>;

    // Item 7: each route throttled for all its callers together, sized in ROUTE_THROTTLES (one table).
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const stageResource = this.stage.node.defaultChild as CfnStage;
    for (const route of ROUTES as readonly RouteDefinition[]) {
      const key = routeKey(route);
      const throttle = throttleOf(route.operationId as OperationId);
      routeSettings[key] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      const publicReason =
        route.roles.length === 0
          ? route.authentication
            ? SIGNED_ROUTE_REASONS[route.authentication]
            : PUBLIC_ROUTE_REASONS[key]
          : undefined;
      if (route.roles.length === 0 && publicReason === undefined) {
        throw new Error(`${key} is public (roles: []) but has no reason in PUBLIC_ROUTE_REASONS`);
      }
      const httpRoute = new HttpRoute(this, `Route${pascalCase(route.operationId)}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrations[route.function],
        authorizer:
          publicReason !== undefined
            ? new HttpNoneAuthorizer()
            : authorizerOf(route) === 'buyer'
              ? buyerAuthorizer
              : authorizer,
      });
      if (publicReason !== undefined) {
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReason });
      }
      // A stage's route settings name existing routes: CloudFormation must create the routes first.
      stageResource.node.addDependency(httpRoute);
    }
    stageResource.routeSettings = routeSettings;
  }
}

/**
 * Start a billing run and follow it: `states:StartExecution` on the state machine, `DescribeExecution` on its
 * executions (their names, the run ids, exist only at run time).
 */
function grantBillingRuns(fn: ProjectFunction, stateMachine: IStateMachine): void {
  const stack = Stack.of(fn);
  const stateMachineName = stack.splitArn(
    stateMachine.stateMachineArn,
    ArnFormat.COLON_RESOURCE_NAME,
  ).resourceName;
  const executions = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
  );
  fn.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
  fn.addEnvironment(ENV.stateMachineArn, stateMachine.stateMachineArn);
  acknowledgeWildcardResource(
    fn.executionRole,
    executions,
    'states:DescribeExecution on the executions of the billing-run state machine only: each is named after ' +
      'its run id, known only at run time.',
  );
}

/**
 * Sign short-lived download links to invoice and credit-note PDFs and e-invoices: `s3:GetObject` under
 * those two prefixes (a presigned link works with the signer's permissions), and `s3:GetObjectVersion`
 * since a PDF's link names the version recorded when it was stored; and write the e-invoice XML
 * beside the PDFs: `s3:PutObject` (and aborting its multipart upload) on `<prefix>*.xml` only, so a PDF
 * can never be overwritten. `s3:ListBucket` on the bucket makes a HEAD of an XML not written yet answer
 * 404 rather than 403 (S3 hides absence from those who may not list).
 */
function grantInvoiceDownloads(fn: ProjectFunction, bucket: IBucket): void {
  for (const [prefix, what] of [
    [INVOICE_KEY_PREFIX, 'invoice'],
    [CREDIT_NOTE_KEY_PREFIX, 'credit note'],
  ] as const) {
    const objects = bucket.arnForObjects(`${prefix}*`);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects] }),
    );
    acknowledgeWildcardResource(
      fn.executionRole,
      objects,
      `Download links are signed for ${what} PDFs and e-invoices under ${prefix}, whose keys are known ` +
        'only at run time: read-only, that prefix of the invoice bucket only.',
    );
    const xml = bucket.arnForObjects(`${prefix}*.xml`);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [xml] }),
    );
    acknowledgeWildcardResource(
      fn.executionRole,
      xml,
      `The ${what} e-invoice XML (CII, UBL) is written once beside its PDF under ${prefix}, keys known ` +
        'only at run time: XML objects of that prefix only, never a PDF, never s3:DeleteObject.',
    );
  }
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  fn.addEnvironment(ENV.invoiceBucketName, bucket.bucketName);
}

/**
 * The accounting API signs links to the export files (GetObject, pinned to a version: GetObjectVersion);
 * ListBucket so that a link to a missing object is a 404. Writing them is the export builder's.
 */
function grantBookExports(fn: ProjectFunction, bucket: IBucket): void {
  const objects = bucket.arnForObjects(`${BOOK_EXPORT_KEY_PREFIX}*`);
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects] }),
  );
  acknowledgeWildcardResource(
    fn.executionRole,
    objects,
    `Export files of the books are read back under ${BOOK_EXPORT_KEY_PREFIX} for download links, keys known ` +
      'only at run time (the export id): that prefix of the invoice bucket only, read only.',
  );
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  fn.addEnvironment(ENV.invoiceBucketName, bucket.bucketName);
}

/** Where the books' export files are kept in the invoice bucket (`exportKey`). */
export const BOOK_EXPORT_KEY_PREFIX = 'exports/';

/** `orders-create` → `OrdersCreate`, `getOrder` → `GetOrder`: construct ids. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
