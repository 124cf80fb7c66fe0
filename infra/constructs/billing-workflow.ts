import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  Map as InlineMap,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  QueryLanguage,
  Result,
  type RetryProps,
  StateMachine,
  StateMachineType,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { INDEXES, type IndexDefinition } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import type { Issuer } from '../../shared/contracts/schemas/invoice.js';
import {
  BILLING_FUNCTIONS,
  type BillingFunctionName,
  type BuildAccountInput,
  type DeliverInvoiceInput,
  type DuePage,
  type InvoiceRef,
  type ListDueInput,
  type ListToSendInput,
  type NumberResult,
  RETRYABLE_ERRORS,
  type RecordFailureInput,
  type RunContext,
  type RunIdInput,
  type SendPage,
  SUBMIT_EINVOICE_TIMEOUT_SECONDS,
} from '../../shared/contracts/workflow/workflow.js';
import { DEFAULT_CUT_OFF_TIME } from '../../shared/core/domain/cut-off.js';
import type { ApprovedPlatformConnection } from './approved-platform.js';
import type { DataTable } from './data-table.js';
import { stateMachineLogGroup } from './log-groups.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction, type TableAccess } from './project-function.js';
import { allowSendingAs } from './shared-resources.js';

/** Key prefix of invoice documents in the invoice bucket: the only objects billing functions may touch. */
export const INVOICE_KEY_PREFIX = 'invoices/';

/**
 * Items per Distributed Map child (an Express workflow): the parent is a Standard workflow, billed one
 * state transition per child it starts, so a child per account and per invoice cost more than every other
 * transition of the run together. A child runs its batch through an inline Map, all items at once: its
 * wall time stays that of one item (retries included), inside Express's 5 minutes; the children at once
 * are the concurrency divided by the batch size, so the items in flight stay within the configured bound.
 * A batch is a `States.ArrayPartition` of the page (aws-local-stepfunctions has no `ItemBatcher`, and the
 * local runner executes this very definition).
 */
export const BUILD_BATCH_SIZE = 10;
export const DELIVERY_BATCH_SIZE = 5;

/**
 * StorePdf's Node options: a bounded old space makes V8 collect as it goes instead of growing the heap
 * with garbage, so peak memory stays flat from 100 to 10,000 orders (the live data of a render is a few
 * tens of MB). The bench runs the bundle with these very options.
 */
export const STORE_PDF_NODE_OPTIONS = '--enable-source-maps --max-old-space-size=128';

/** Where the bundles carry the fonts the PDF renderer embeds (DejaVu: Latin, accents and the euro sign). */
export const INVOICE_FONT_FILES = [
  'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  // PDF/A needs an output colour profile; pdfkit reads it from disk, so the bundle carries its copy.
  'node_modules/pdfkit/js/data/sRGB_IEC61966_2_1.icc',
] as const;

/**
 * Errors retried with backoff on every task: the Lambda service's own transient failures and the ones a
 * handler throws by name (`RETRYABLE_ERRORS`). Everything else goes straight to the Catch (or fails the run).
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  ...RETRYABLE_ERRORS,
] as const;

/** 2 s, 4 s, 8 s, 16 s, 32 s at most (full jitter): about a minute, inside an Express child's 5 minutes; also the receivables follow-up's first retry (its pages replay safely). */
export const TRANSIENT_RETRY: RetryProps = {
  errors: [...TRANSIENT_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: JitterType.FULL,
};

/**
 * SES throttling (a handler throws `Throttled` on SES `Throttling` / "Maximum sending rate exceeded"): shorter
 * first wait, one more attempt, full jitter so the parallel children do not retry in step.
 */
const SES_THROTTLED_RETRY: RetryProps = {
  errors: ['Throttled'],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 6,
  jitterStrategy: JitterType.FULL,
};

/**
 * The approved platform unavailable (a handler throws `PlatformUnavailable`: down, throttling, or a deposit
 * of unknown outcome, which the retry searches for first): 1 s, 2 s, 4 s, 8 s, 16 s at most (full jitter),
 * so six invocations of SubmitEInvoice (40 s each at most) and the waits stay inside an Express child's
 * 5 minutes.
 */
const PLATFORM_UNAVAILABLE_RETRY: RetryProps = {
  errors: ['PlatformUnavailable'],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: JitterType.FULL,
};

/** DynamoDB access of a billing function: item actions on the table (plus `Query` on named indexes), or `Query` on indexes only. */
export type BillingTableAccess =
  | { readonly actions: TableAccess; readonly queryIndexes: readonly IndexDefinition[] }
  | { readonly queryOnly: readonly IndexDefinition[] };

/**
 * Least privilege per billing function, decided from its job. A `Record` over `BillingFunctionName`, so a new
 * step does not compile until its access is decided here. Transactions need no action of their own (IAM
 * checks each item's action). S3 and SES grants are added in the construct (store-pdf, email).
 */
export const BILLING_TABLE_ACCESS: Readonly<Record<BillingFunctionName, BillingTableAccess>> = {
  // Creates the run item (conditional put) or reads it back when resuming.
  'billing-start-run': { actions: ['GetItem', 'PutItem', 'UpdateItem'], queryIndexes: [] },
  // Pages through the accounts due at the cut-off: that index, nothing else.
  'billing-list-due': { queryOnly: [INDEXES.accountsByBillingDue] },
  // Claims the account (an update that reads it back), reads its orders (paginated Queries on its
  // partition), writes drafts (transactions checking the claim), closes and advances its periods, parks it
  // when its stored data cannot be built, records its outcome on the run.
  'billing-build': { actions: 'readWrite', queryIndexes: [] },
  // Reads the drafts released for numbering and the counter; one transaction per batch: counter, number
  // lookups, invoices.
  'billing-number': {
    actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    queryIndexes: [INDEXES.invoicesToNumber],
  },
  // Pages through issued invoices still to deliver.
  'billing-list-to-send': { queryOnly: [INDEXES.invoicesToSend] },
  // Reads the invoice and streams its orders (Queries on the account's partition), records the PDF's key.
  'billing-store-pdf': { actions: ['GetItem', 'Query', 'UpdateItem'], queryIndexes: [] },
  // Reads the invoice, moves its submission pending → submitting → submitted | rejected with conditional
  // updates (the run's counters in the same transaction), lists a rejection among the run's failures.
  'billing-submit-einvoice': { actions: ['GetItem', 'PutItem', 'UpdateItem'], queryIndexes: [] },
  // Reads the invoice, moves its email ready → sending → sent with conditional updates.
  'billing-email': { actions: ['GetItem', 'UpdateItem'], queryIndexes: [] },
  // Revokes a failed build's claim on its account, writes a failure item under the run and counts it on
  // the run (one transaction).
  'billing-record-failure': { actions: ['PutItem', 'UpdateItem'], queryIndexes: [] },
  // Flags emails left `sending` (InvoicesToSend), records them as failures, closes the run and reads its
  // summary (the run item and a Query on its partition).
  'billing-finish-run': {
    actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    queryIndexes: [INDEXES.invoicesToSend],
  },
};

interface FunctionSettings {
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly needsFonts?: boolean;
  /** Replaces the default NODE_OPTIONS (`--enable-source-maps`). */
  readonly nodeOptions?: string;
}

/**
 * Timeouts: a Distributed Map child runs as an Express workflow, which may last 5 minutes at most, retries
 * included; the build and delivery steps stay far below it.
 */
const FUNCTION_SETTINGS: Readonly<Record<BillingFunctionName, FunctionSettings>> = {
  'billing-start-run': { description: 'Billing run: start or resume a run', timeout: Duration.seconds(10) },
  'billing-list-due': { description: 'Billing run: one page of accounts due', timeout: Duration.seconds(30) },
  'billing-build': {
    description: 'Billing run: build the drafts of one account',
    timeout: Duration.seconds(90),
  },
  // Standard workflow step (no 5-minute cap): room to number several batches per invocation.
  'billing-number': { description: 'Billing run: number released drafts', timeout: Duration.minutes(5) },
  'billing-list-to-send': {
    description: 'Billing run: one page of invoices to deliver',
    timeout: Duration.seconds(30),
  },
  // More memory is more CPU: PDF rendering is CPU-bound.
  'billing-store-pdf': {
    description: 'Billing run: render and store one invoice PDF',
    timeout: Duration.seconds(90),
    memorySize: 2048,
    needsFonts: true,
    nodeOptions: STORE_PDF_NODE_OPTIONS,
  },
  'billing-submit-einvoice': {
    description: 'Billing run: submit one invoice to the approved platform, at most once',
    timeout: Duration.seconds(SUBMIT_EINVOICE_TIMEOUT_SECONDS),
  },
  'billing-email': {
    description: 'Billing run: email one invoice',
    timeout: Duration.seconds(30),
    needsFonts: true,
  },
  'billing-record-failure': {
    description: 'Billing run: record a failed account or invoice',
    timeout: Duration.seconds(10),
  },
  'billing-finish-run': { description: 'Billing run: write the summary', timeout: Duration.seconds(60) },
};

export interface BillingWorkflowProps {
  /** The single table. */
  readonly dataTable: DataTable;
  /** Where invoice PDFs are stored (under `invoices/`). */
  readonly invoiceBucket: IBucket;
  /** IANA time zone in which billing periods are cut. */
  readonly marketplaceTimeZone: string;
  /** The issuer printed on every invoice (validated, defaults applied). */
  readonly issuer: Issuer;
  /** `From` address of invoice emails; the only address the email function may send as. */
  readonly invoiceSender: string;
  /**
   * The approved platform SubmitEInvoice deposits e-invoices on (its variables and secret are granted to
   * that function alone).
   * @default - none: the step stays in the workflow, and an invoice whose channel includes the platform
   * fails alone with `PlatformNotConfigured`, recorded among the run's failures
   */
  readonly platform?: ApprovedPlatformConnection;
  /**
   * Review window between building and numbering, in hours; 0 turns the Wait off. StartRun cuts it short
   * to end by 23:00 on the cut-off day.
   * @default 0
   */
  readonly reviewWindowHours?: number;
  /**
   * Local time ('HH:MM') of the daily run; the functions refuse a review window ending after 23:00.
   * @default '22:00'
   */
  readonly cutOffTime?: string;
  /**
   * Accounts built in parallel (each child builds a batch of BUILD_BATCH_SIZE at once).
   * @default 40
   */
  readonly buildConcurrency?: number;
  /**
   * Invoices delivered in parallel. Keep it below the SES sending rate per second (the account's quota): at
   * most this many emails are in flight (children × their batch), so the rate stays under it even when every
   * one sends at once.
   * @default 10
   */
  readonly deliveryConcurrency?: number;
  /**
   * Retention of the execution logs. Three months cover the longest (quarterly) billing cycle.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The billing run: a Standard state machine that follows the contract of `shared/contracts/workflow/workflow.ts`, in
 * JSONPath only (the local runner cannot evaluate JSONata), its Distributed Maps fed from `ItemsPath` (never
 * `ItemReader`) so the same definition runs locally; one function per step, each with its own grants.
 */
export class BillingWorkflow extends Construct {
  /** The billing-run state machine. */
  public readonly stateMachine: StateMachine;
  /** Its execution log group. */
  public readonly logGroup: LogGroup;
  /** The step functions, by name. */
  public readonly functions: Readonly<Record<BillingFunctionName, ProjectFunction>>;

  constructor(scope: Construct, id: string, props: BillingWorkflowProps) {
    super(scope, id);
    const buildConcurrency = concurrency('buildConcurrency', props.buildConcurrency ?? 40);
    const deliveryConcurrency = concurrency('deliveryConcurrency', props.deliveryConcurrency ?? 10);
    const reviewWindowHours = props.reviewWindowHours ?? 0;
    if (!Number.isFinite(reviewWindowHours) || reviewWindowHours < 0) {
      throw new Error(`reviewWindowHours must be 0 or more: ${reviewWindowHours}`);
    }

    this.functions = this.createFunctions(props, reviewWindowHours);

    // --- States (names are the contract with the local runner and the tests) -------------------------------
    // Every payload and path is built from the contract's field names (shared/contracts/workflow/workflow.ts).
    const run = fieldsAt<RunContext>(RESULTS.run);
    const duePage = fieldsAt<DuePage>(RESULTS.duePage);
    const numbering = fieldsAt<NumberResult>(RESULTS.numbering);
    const sendPage = fieldsAt<SendPage>(RESULTS.sendPage);
    const runId = JsonPath.stringAt(run('runId'));
    const startRun = this.task('StartRun', 'billing-start-run', { resultPath: RESULTS.run });
    const initDuePage = Pass.jsonPath(this, 'InitDuePage', {
      result: Result.fromObject({ cursor: null } satisfies Pick<DuePage, 'cursor'>),
      resultPath: RESULTS.duePage,
    });
    const listDue = this.task('ListDue', 'billing-list-due', {
      payload: inputOf<ListDueInput>({
        runId,
        cutOff: JsonPath.stringAt(run('cutOff')),
        cursor: JsonPath.stringAt(duePage('cursor')),
      }),
      resultPath: RESULTS.duePage,
    });

    // One child per account of the page. The children catch every error into the failure recorder, so one
    // account never stops the others; a child fails only if recording itself keeps failing.
    const buildItem = fieldsAt<BuildAccountInput>('$');
    const buildAccount = this.task('BuildAccount', 'billing-build', { resultPath: JsonPath.DISCARD });
    const recordBuildFailure = this.task('RecordBuildFailure', 'billing-record-failure', {
      payload: inputOf<RecordFailureInput>({
        runId: JsonPath.stringAt(buildItem('runId')),
        accountId: JsonPath.stringAt(buildItem('accountId')),
        stage: 'build',
        error: JsonPath.objectAt(ERROR_PATH),
      }),
      resultPath: JsonPath.DISCARD,
    });
    buildAccount.addCatch(recordBuildFailure, { errors: ['States.ALL'], resultPath: ERROR_PATH });
    const buildBatch = Math.min(BUILD_BATCH_SIZE, buildConcurrency);
    const batchDue = Pass.jsonPath(this, 'BatchDue', {
      comment: `The page's accounts in batches of ${buildBatch}, one Express child each.`,
      parameters: {
        cursor: JsonPath.stringAt(duePage('cursor')),
        batches: JsonPath.arrayPartition(JsonPath.listAt(duePage('accountIds')), buildBatch),
      },
      resultPath: RESULTS.duePage,
    });
    const batchItem = fieldsAt<AccountBatch>('$');
    const buildBatchAccounts = InlineMap.jsonPath(this, 'BuildBatch', {
      itemsPath: batchItem('accountIds'),
      itemSelector: inputOf<BuildAccountInput>({
        runId: JsonPath.stringAt(batchItem('runId')),
        cutOff: JsonPath.stringAt(batchItem('cutOff')),
        accountId: JsonPath.stringAt('$$.Map.Item.Value'),
      }),
      maxConcurrency: buildBatch,
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(buildAccount);
    const buildAccounts = DistributedMap.jsonPath(this, 'BuildAccounts', {
      comment:
        'Builds the drafts of each account of the page, a batch per child (children are Express workflows).',
      mapExecutionType: StateMachineType.EXPRESS,
      itemsPath: `${RESULTS.duePage}.batches`,
      itemSelector: inputOf<AccountBatch>({
        runId,
        cutOff: JsonPath.stringAt(run('cutOff')),
        accountIds: JsonPath.listAt('$$.Map.Item.Value'),
      }),
      maxConcurrency: Math.max(1, Math.floor(buildConcurrency / buildBatch)),
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(buildBatchAccounts);

    const numberInvoices = this.task('NumberInvoices', 'billing-number', {
      payload: inputOf<RunIdInput>({ runId }),
      resultPath: RESULTS.numbering,
    });
    const reviewWait = Wait.jsonPath(this, 'ReviewWait', {
      comment: 'Operators read, hold or release the drafts until the window ends.',
      time: WaitTime.secondsPath(run('reviewSeconds')),
    });
    const reviewWindow = Choice.jsonPath(this, 'ReviewWindow')
      .when(Condition.numberGreaterThan(run('reviewSeconds'), 0), reviewWait.next(numberInvoices))
      .otherwise(numberInvoices);
    const hasMoreDue = Choice.jsonPath(this, 'HasMoreDue')
      .when(moreAfter(duePage('cursor')), listDue)
      .otherwise(reviewWindow);

    const initSendPage = Pass.jsonPath(this, 'InitSendPage', {
      result: Result.fromObject({ cursor: null } satisfies Pick<SendPage, 'cursor'>),
      resultPath: RESULTS.sendPage,
    });
    const hasMoreToNumber = Choice.jsonPath(this, 'HasMoreToNumber')
      .when(Condition.booleanEquals(numbering('more'), true), numberInvoices)
      .otherwise(initSendPage);
    const listToSend = this.task('ListToSend', 'billing-list-to-send', {
      payload: inputOf<ListToSendInput>({ runId, cursor: JsonPath.stringAt(sendPage('cursor')) }),
      resultPath: RESULTS.sendPage,
    });

    const deliverItem = fieldsAt<DeliverInvoiceInput>('$');
    const storePdf = this.task('StorePdf', 'billing-store-pdf', { resultPath: JsonPath.DISCARD });
    const submitEInvoice = this.task('SubmitEInvoice', 'billing-submit-einvoice', {
      resultPath: JsonPath.DISCARD,
      retries: [
        PLATFORM_UNAVAILABLE_RETRY,
        {
          ...TRANSIENT_RETRY,
          errors: TRANSIENT_RETRY.errors?.filter((error) => error !== 'PlatformUnavailable'),
        },
      ],
    });
    const sendEmail = this.task('SendEmail', 'billing-email', {
      resultPath: JsonPath.DISCARD,
      retries: [
        SES_THROTTLED_RETRY,
        { ...TRANSIENT_RETRY, errors: TRANSIENT_RETRY.errors?.filter(notThrottled) },
      ],
    });
    const recordDeliveryFailure = this.task('RecordDeliveryFailure', 'billing-record-failure', {
      payload: inputOf<RecordFailureInput>({
        runId: JsonPath.stringAt(deliverItem('runId')),
        invoiceId: JsonPath.stringAt(deliverItem('invoiceId')),
        stage: 'deliver',
        error: JsonPath.objectAt(ERROR_PATH),
      }),
      resultPath: JsonPath.DISCARD,
    });
    storePdf.addCatch(recordDeliveryFailure, { errors: ['States.ALL'], resultPath: ERROR_PATH });
    submitEInvoice.addCatch(recordDeliveryFailure, { errors: ['States.ALL'], resultPath: ERROR_PATH });
    sendEmail.addCatch(recordDeliveryFailure, { errors: ['States.ALL'], resultPath: ERROR_PATH });
    const deliveryBatch = Math.min(DELIVERY_BATCH_SIZE, deliveryConcurrency);
    const batchToSend = Pass.jsonPath(this, 'BatchToSend', {
      comment: `The page's invoices in batches of ${deliveryBatch}, one Express child each.`,
      parameters: {
        cursor: JsonPath.stringAt(sendPage('cursor')),
        batches: JsonPath.arrayPartition(JsonPath.listAt(sendPage('invoices')), deliveryBatch),
      },
      resultPath: RESULTS.sendPage,
    });
    const invoiceBatch = fieldsAt<InvoiceBatch>('$');
    const invoiceRef = fieldsAt<InvoiceRef>('$$.Map.Item.Value');
    const deliverBatch = InlineMap.jsonPath(this, 'DeliverBatch', {
      itemsPath: invoiceBatch('invoices'),
      itemSelector: inputOf<DeliverInvoiceInput>({
        runId: JsonPath.stringAt(invoiceBatch('runId')),
        invoiceId: JsonPath.stringAt(invoiceRef('invoiceId')),
        accountId: JsonPath.stringAt(invoiceRef('accountId')),
        invoiceSk: JsonPath.stringAt(invoiceRef('invoiceSk')),
      }),
      maxConcurrency: deliveryBatch,
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(storePdf.next(submitEInvoice).next(sendEmail));
    const deliverInvoices = DistributedMap.jsonPath(this, 'DeliverInvoices', {
      comment:
        'Stores the PDF, submits the e-invoice to the approved platform and emails each invoice of the page ' +
        '(by its channel), a batch per child; concurrency bounded by the SES rate.',
      mapExecutionType: StateMachineType.EXPRESS,
      itemsPath: `${RESULTS.sendPage}.batches`,
      itemSelector: inputOf<InvoiceBatch>({ runId, invoices: JsonPath.listAt('$$.Map.Item.Value') }),
      maxConcurrency: Math.max(1, Math.floor(deliveryConcurrency / deliveryBatch)),
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(deliverBatch);

    const finishRun = this.task('FinishRun', 'billing-finish-run', {
      payload: inputOf<RunIdInput>({ runId }),
    });
    const hasMoreToSend = Choice.jsonPath(this, 'HasMoreToSend')
      .when(moreAfter(sendPage('cursor')), listToSend)
      .otherwise(finishRun);

    numberInvoices.next(hasMoreToNumber);
    initSendPage.next(listToSend).next(batchToSend).next(deliverInvoices).next(hasMoreToSend);

    // A top-level step still failing after its retries stops the run: say so on the run (`failed`, with
    // the reason), whoever started it, then fail the execution. A rerun of the cut-off does what is missing.
    const recordRunFailure = this.task('RecordRunFailure', 'billing-record-failure', {
      payload: inputOf<RecordFailureInput>({ runId, stage: 'run', error: JsonPath.objectAt(ERROR_PATH) }),
      resultPath: JsonPath.DISCARD,
    });
    recordRunFailure.next(
      new Fail(this, 'RunFailed', {
        error: 'BillingRunFailed',
        cause: 'A step of the billing run failed after its retries; see the run summary',
      }),
    );
    for (const step of [listDue, buildAccounts, numberInvoices, listToSend, deliverInvoices, finishRun]) {
      step.addCatch(recordRunFailure, { errors: ['States.ALL'], resultPath: ERROR_PATH });
    }
    const definition = Chain.start(startRun)
      .next(initDuePage)
      .next(listDue)
      .next(batchDue)
      .next(buildAccounts)
      .next(hasMoreDue);

    // --- State machine ---------------------------------------------------------------------------------------
    this.logGroup = stateMachineLogGroup(this, 'billing-run', props.logRetention);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Billing run: build, number, store and email the consolidated invoices of every account due.',
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      definitionBody: DefinitionBody.fromChainable(definition),
      // ALL events for the audit trail, without execution data: inputs and outputs carry buyer details.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and ' +
        'CloudWatch Logs vended delivery (logs:CreateLogDelivery and friends) support no resource-level permission.',
    });
    for (const fn of Object.values(this.functions)) {
      acknowledgeWildcardResource(
        this.stateMachine.role,
        `${fn.functionArn}:*`,
        'CDK grants lambda:InvokeFunction on each task function and its qualified ARNs (<function>:*); the ' +
          'functions publish no version or alias, so this reaches these ten functions and nothing else.',
      );
    }
    this.acknowledgeDistributedMapPolicy();
  }

  /**
   * A Lambda task in the contract's shape: the function ARN as resource with `payloadResponseOnly` (the
   * handler gets the state input, or `payload`, as is; its return value is the result) and the transient
   * retry. CDK's own Lambda retry is replaced by ours, which also covers the handlers' `Throttled` and
   * `TransientFailure`.
   */
  private task(
    id: string,
    name: BillingFunctionName,
    options: { payload?: Record<string, unknown>; resultPath?: string; retries?: readonly RetryProps[] },
  ): LambdaInvoke {
    const invoke = LambdaInvoke.jsonPath(this, id, {
      lambdaFunction: this.functions[name],
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...(options.payload === undefined ? {} : { payload: TaskInput.fromObject(options.payload) }),
      ...(options.resultPath === undefined ? {} : { resultPath: options.resultPath }),
    });
    for (const retry of options.retries ?? [TRANSIENT_RETRY]) invoke.addRetry(retry);
    return invoke;
  }

  private createFunctions(
    props: BillingWorkflowProps,
    reviewWindowHours: number,
  ): Record<BillingFunctionName, ProjectFunction> {
    const scope = new Construct(this, 'Functions');
    const bucket = props.invoiceBucket;
    const invoiceObjects = bucket.arnForObjects(`${INVOICE_KEY_PREFIX}*`);
    const environment = {
      [ENV.marketplaceTimeZone]: props.marketplaceTimeZone,
      [ENV.invoiceBucketName]: bucket.bucketName,
      [ENV.issuer]: JSON.stringify(props.issuer),
      [ENV.invoiceSender]: props.invoiceSender,
      [ENV.reviewWindowHours]: String(reviewWindowHours),
      [ENV.cutOffTime]: props.cutOffTime ?? DEFAULT_CUT_OFF_TIME,
    };

    const functions = Object.fromEntries(
      BILLING_FUNCTIONS.map((name) => {
        const settings = FUNCTION_SETTINGS[name];
        const fn = new ProjectFunction(scope, pascalCase(name), {
          name,
          description: settings.description,
          timeout: settings.timeout,
          ...(settings.memorySize === undefined ? {} : { memorySize: settings.memorySize }),
          environment: {
            ...environment,
            ...(settings.needsFonts ? { [ENV.invoiceFontDir]: '/var/task' } : {}),
            ...('nodeOptions' in settings && settings.nodeOptions
              ? { NODE_OPTIONS: settings.nodeOptions }
              : {}),
          },
          ...(settings.needsFonts ? { extraFiles: INVOICE_FONT_FILES } : {}),
        });
        const access = BILLING_TABLE_ACCESS[name];
        if ('queryOnly' in access) fn.queryIndexes(props.dataTable, access.queryOnly);
        else fn.useTable(props.dataTable, access.actions, { queryIndexes: access.queryIndexes });
        return [name, fn];
      }),
    ) as Record<BillingFunctionName, ProjectFunction>;

    // Stores the PDF under its stable key and may read it back. No delete, no listing; Object Lock keeps
    // every stored version.
    const storePdf = functions['billing-store-pdf'];
    storePdf.addToRolePolicy(
      new PolicyStatement({
        // PutObject covers every part of a multipart upload (lib-storage's Upload); it aborts on failure.
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
        resources: [invoiceObjects],
      }),
    );
    acknowledgeInvoiceObjects(storePdf, invoiceObjects);

    // Attaches the stored PDF; sends as the configured sender only.
    const email = functions['billing-email'];
    email.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [invoiceObjects] }));
    acknowledgeInvoiceObjects(email, invoiceObjects);
    allowSendingAs(email, props.invoiceSender);

    // Reads the stored PDF (the Factur-X it deposits); talks to the platform with its variables and secret.
    const submit = functions['billing-submit-einvoice'];
    submit.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [invoiceObjects] }));
    acknowledgeInvoiceObjects(submit, invoiceObjects);
    props.platform?.grantTo(submit);
    return functions;
  }

  /**
   * The Distributed Maps' policy (CDK's): start child executions of this very state machine, describe and stop
   * them, redrive the map runs. Child execution ARNs exist only at run time, under this state machine's name.
   */
  private acknowledgeDistributedMapPolicy(): void {
    const policy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (!(policy instanceof Policy)) return;
    const statements = (Stack.of(this).resolve(policy.document.toJSON()) as PolicyJson).Statement;
    const wildcards = new Set(
      statements
        .flatMap((statement) =>
          Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
        )
        .filter((resource) => JSON.stringify(resource).includes('*')),
    );
    for (const resource of wildcards) {
      acknowledgeWildcardResource(
        policy,
        resource,
        'Distributed Map: states:DescribeExecution, StopExecution and RedriveExecution on the child executions ' +
          'of this very state machine, whose names exist only at run time (CDK scopes them to its name).',
      );
    }
  }
}

interface PolicyJson {
  Statement: { Resource: unknown }[];
}

/** `billing-start-run` → `BillingStartRun`: construct ids. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const notThrottled = (error: string) => error !== 'Throttled';

/** Where the execution keeps each step's result (the contract's `kept at`), and where a Catch puts the error. */
const RESULTS = {
  run: '$.run',
  duePage: '$.duePage',
  numbering: '$.numbering',
  sendPage: '$.sendPage',
} as const;
const ERROR_PATH = '$.error';

/** A build child's input: a batch of the page's accounts (the inline Map gives each its BuildAccountInput). */
interface AccountBatch {
  runId: string;
  cutOff: string;
  accountIds: string[];
}

/** A delivery child's input: a batch of the page's invoices (each becomes a DeliverInvoiceInput). */
interface InvoiceBatch {
  runId: string;
  invoices: InvoiceRef[];
}

/**
 * A Task's payload or a Map's item selector, checked against the step input it builds (the contract's type,
 * inferred from its zod schema): a field the contract does not name, or a required one left out, does not
 * compile.
 */
function inputOf<Input>(fields: { readonly [K in keyof Input]: unknown }): Record<string, unknown> {
  return fields as Record<string, unknown>;
}

/** JSONPaths of the fields of a value kept at `base` (a step result, a Map item), by the contract's names. */
function fieldsAt<Value>(base: string): (field: keyof Value & string) => string {
  return (field) => `${base}.${field}`;
}

/**
 * "The page has a cursor": `Not IsNull` rather than `IsNull: false` (what `Condition.isNotNull` writes). Both
 * mean the same on AWS, but aws-local-stepfunctions 3.0.0 evaluates `IsNull: false` as always false, which
 * would end every pagination loop after its first page when the runner executes this very definition.
 */
const moreAfter = (cursorPath: string) => Condition.not(Condition.isNull(cursorPath));

function concurrency(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new Error(`${name} must be an integer between 1 and 10000: ${value}`);
  }
  return value;
}

function acknowledgeInvoiceObjects(fn: ProjectFunction, invoiceObjects: string): void {
  acknowledgeWildcardResource(
    fn.executionRole,
    invoiceObjects,
    `Invoice documents are stored under ${INVOICE_KEY_PREFIX} with keys known only at run time: the grant ` +
      'covers that prefix of the invoice bucket and no other object, and never s3:DeleteObject.',
  );
}
