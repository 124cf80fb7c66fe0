import { Template } from 'aws-cdk-lib/assertions';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDefinition } from '../../infra/constructs/asl.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import {
  BILLING_FUNCTIONS,
  type BillingFunctionName,
  RETRYABLE_ERRORS,
  STEP_INPUTS,
} from '../../shared/contracts/workflow/workflow.js';
import { logicalIdOf, newTestApp, SYNTH_TIMEOUT_MS } from './template.js';

/** A state as far as these tests read it. */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  Result?: unknown;
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  ItemReader?: unknown;
  MaxConcurrency?: number;
  ItemProcessor?: {
    ProcessorConfig?: { Mode: string; ExecutionType?: string };
    StartAt: string;
    States: Record<string, AslState>;
  };
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds: number;
    BackoffRate: number;
    MaxAttempts: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Choices?: Record<string, unknown>[];
  Default?: string;
  SecondsPath?: string;
  QueryLanguage?: string;
}
interface Asl {
  StartAt: string;
  QueryLanguage?: string;
  States: Record<string, AslState>;
}

/** Every state of the definition, map children included, with the map it belongs to. */
function* allStates(states: Record<string, AslState>, map = ''): Generator<[string, AslState, string]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state, map];
    if (state.ItemProcessor) yield* allStates(state.ItemProcessor.States, name);
  }
}

let stack: DeferredBillingStack;
let template: Template;
let asl: Asl;
let functionsByArn: Record<string, string>;
const states = () => asl.States;
/** The states of a Distributed Map's child, those of the inline Map running its batch included. */
const mapStates = (map: string): Record<string, AslState> => {
  const collect = (inner: Record<string, AslState>): Record<string, AslState> =>
    Object.assign(
      {},
      inner,
      ...Object.values(inner).map((state) =>
        state.ItemProcessor ? collect(state.ItemProcessor.States) : {},
      ),
    );
  return collect(asl.States[map]?.ItemProcessor?.States ?? {});
};
const functionOf = (state: AslState | undefined) => functionsByArn[state?.Resource ?? ''];

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
  const resolved = resolveDefinition(template.toJSON(), logicalIdOf(stack.billingWorkflow.stateMachine));
  asl = resolved.asl as Asl;
  functionsByArn = resolved.functionsByArn;
}, SYNTH_TIMEOUT_MS);

describe('the billing-run definition', () => {
  it('is JSONPath only: declared at the top, no JSONata anywhere', () => {
    expect(asl.QueryLanguage).toBe('JSONPath');
    const text = JSON.stringify(asl);
    expect(text).not.toMatch(/JSONata/i);
    expect(text).not.toContain('{%');
    for (const [, state] of allStates(asl.States)) {
      expect(state.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      expect(state).not.toHaveProperty('Arguments');
      expect(state).not.toHaveProperty('Output');
      expect(state).not.toHaveProperty('Assign');
    }
  });

  it("has exactly the contract's states, by name", () => {
    expect(asl.StartAt).toBe('StartRun');
    expect(Object.keys(states()).sort()).toEqual(
      [
        'StartRun',
        'InitDuePage',
        'ListDue',
        'BatchDue',
        'BuildAccounts',
        'HasMoreDue',
        'ReviewWindow',
        'ReviewWait',
        'NumberInvoices',
        'HasMoreToNumber',
        'InitSendPage',
        'ListToSend',
        'BatchToSend',
        'DeliverInvoices',
        'HasMoreToSend',
        'FinishRun',
        'RecordRunFailure',
        'RunFailed',
      ].sort(),
    );
    expect(Object.keys(mapStates('BuildAccounts')).sort()).toEqual([
      'BuildAccount',
      'BuildBatch',
      'RecordBuildFailure',
    ]);
    expect(Object.keys(mapStates('DeliverInvoices')).sort()).toEqual([
      'DeliverBatch',
      'RecordDeliveryFailure',
      'SendEmail',
      'StorePdf',
      'SubmitEInvoice',
    ]);
  });

  it('binds each task to the function of the contract', () => {
    const bound = Object.fromEntries(
      [...allStates(asl.States)]
        .filter(([, state]) => state.Type === 'Task')
        .map(([name, state]) => [name, functionOf(state)]),
    );
    expect(bound).toEqual({
      StartRun: 'billing-start-run',
      ListDue: 'billing-list-due',
      BuildAccount: 'billing-build',
      RecordBuildFailure: 'billing-record-failure',
      NumberInvoices: 'billing-number',
      ListToSend: 'billing-list-to-send',
      StorePdf: 'billing-store-pdf',
      SubmitEInvoice: 'billing-submit-einvoice',
      SendEmail: 'billing-email',
      RecordDeliveryFailure: 'billing-record-failure',
      FinishRun: 'billing-finish-run',
      RecordRunFailure: 'billing-record-failure',
    } satisfies Record<string, BillingFunctionName>);
    expect([...new Set(Object.values(functionsByArn))].sort()).toEqual([...BILLING_FUNCTIONS].sort());
  });

  it('ends the run failed, with the reason, when a top-level step still fails after its retries', () => {
    for (const name of [
      'ListDue',
      'BuildAccounts',
      'NumberInvoices',
      'ListToSend',
      'DeliverInvoices',
      'FinishRun',
    ]) {
      expect(states()[name]?.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordRunFailure' },
      ]);
    }
    // StartRun has no run to mark yet: its failure fails the execution as it is.
    expect(states().StartRun?.Catch).toBeUndefined();
    expect(states().RecordRunFailure).toMatchObject({
      Parameters: { 'runId.$': '$.run.runId', stage: 'run', 'error.$': '$.error' },
      ResultPath: null,
      Next: 'RunFailed',
    });
    expect(states().RunFailed).toMatchObject({ Type: 'Fail', Error: 'BillingRunFailed' });
  });

  it("sends each task exactly the fields its handler's schema names, every required one included", () => {
    for (const [name, state, map] of allStates(asl.States)) {
      if (state.Type !== 'Task') continue;
      // A Map child without Parameters gets its (inline) Map's item selector (SendEmail: StorePdf returns its input).
      const enclosing = [...allStates(asl.States)].find(([mapName]) => mapName === map)?.[1];
      const payload = state.Parameters ?? enclosing?.ItemSelector;
      if (!payload) {
        expect(name).toBe('StartRun'); // the execution input, checked by the schedule's and the API's tests
        continue;
      }
      const shape = STEP_INPUTS[functionOf(state) as BillingFunctionName].shape as Record<
        string,
        { safeParse(value: unknown): { success: boolean } }
      >;
      const sent = Object.keys(payload).map((field) => field.replace(/\.\$$/, ''));
      const required = Object.keys(shape).filter((field) => !shape[field]?.safeParse(undefined).success);
      expect(
        sent.filter((field) => !(field in shape)),
        `${name} sends fields its schema lacks`,
      ).toEqual([]);
      expect(
        required.filter((field) => !sent.includes(field)),
        `${name} leaves out`,
      ).toEqual([]);
    }
  });

  it('starts the run, then pages through the accounts due', () => {
    expect(states().StartRun).toMatchObject({ Type: 'Task', ResultPath: '$.run', Next: 'InitDuePage' });
    expect(states().StartRun?.Parameters).toBeUndefined();
    expect(states().InitDuePage).toMatchObject({
      Type: 'Pass',
      Result: { cursor: null },
      ResultPath: '$.duePage',
      Next: 'ListDue',
    });
    expect(states().ListDue).toMatchObject({
      Type: 'Task',
      Parameters: { 'runId.$': '$.run.runId', 'cutOff.$': '$.run.cutOff', 'cursor.$': '$.duePage.cursor' },
      ResultPath: '$.duePage',
      Next: 'BatchDue',
    });
    expect(states().HasMoreDue).toEqual({
      Type: 'Choice',
      Choices: [{ Not: { Variable: '$.duePage.cursor', IsNull: true }, Next: 'ListDue' }],
      Default: 'ReviewWindow',
    });
  });

  it('builds each page of accounts in batches of 10, one Express child of a Distributed Map per batch', () => {
    // A Standard parent pays a state transition per child it starts: one child per account cost more than
    // the rest of the run. The batch is a States.ArrayPartition of the page (the local runner has no ItemBatcher).
    expect(states().BatchDue).toMatchObject({
      Type: 'Pass',
      Parameters: {
        'cursor.$': '$.duePage.cursor',
        'batches.$': 'States.ArrayPartition($.duePage.accountIds, 10)',
      },
      ResultPath: '$.duePage',
      Next: 'BuildAccounts',
    });
    const map = states().BuildAccounts as AslState;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.duePage.batches',
      ItemSelector: {
        'runId.$': '$.run.runId',
        'cutOff.$': '$.run.cutOff',
        'accountIds.$': '$$.Map.Item.Value',
      },
      // 4 children × 10 accounts at once: the 40 accounts in flight of buildConcurrency.
      MaxConcurrency: 4,
      ResultPath: null,
      Next: 'HasMoreDue',
    });
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ItemProcessor?.StartAt).toBe('BuildBatch');
    // The child builds its accounts all at once (its time is one account's, inside Express's 5 minutes),
    // each as before: one BuildAccount with its own catch.
    expect(mapStates('BuildAccounts').BuildBatch).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.accountIds',
      ItemSelector: { 'runId.$': '$.runId', 'cutOff.$': '$.cutOff', 'accountId.$': '$$.Map.Item.Value' },
      MaxConcurrency: 10,
      ResultPath: null,
      End: true,
    });
    expect(mapStates('BuildAccounts').BuildBatch?.ItemProcessor?.ProcessorConfig?.Mode ?? 'INLINE').toBe(
      'INLINE',
    );
    expect(mapStates('BuildAccounts').BuildAccount).toMatchObject({ ResultPath: null, End: true });
  });

  it('skips the review window unless the run has one, then numbers while there is more', () => {
    expect(states().ReviewWindow).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.run.reviewSeconds', NumericGreaterThan: 0, Next: 'ReviewWait' }],
      Default: 'NumberInvoices',
    });
    expect(states().ReviewWait).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.run.reviewSeconds',
      Next: 'NumberInvoices',
    });
    expect(states().NumberInvoices).toMatchObject({
      Type: 'Task',
      Parameters: { 'runId.$': '$.run.runId' },
      ResultPath: '$.numbering',
      Next: 'HasMoreToNumber',
    });
    expect(states().HasMoreToNumber).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.numbering.more', BooleanEquals: true, Next: 'NumberInvoices' }],
      Default: 'InitSendPage',
    });
  });

  it('pages through the invoices to send, delivering each in an Express child, then finishes', () => {
    expect(states().InitSendPage).toMatchObject({
      Type: 'Pass',
      Result: { cursor: null },
      ResultPath: '$.sendPage',
      Next: 'ListToSend',
    });
    expect(states().ListToSend).toMatchObject({
      Parameters: { 'runId.$': '$.run.runId', 'cursor.$': '$.sendPage.cursor' },
      ResultPath: '$.sendPage',
      Next: 'BatchToSend',
    });
    expect(states().BatchToSend).toMatchObject({
      Type: 'Pass',
      Parameters: {
        'cursor.$': '$.sendPage.cursor',
        'batches.$': 'States.ArrayPartition($.sendPage.invoices, 5)',
      },
      ResultPath: '$.sendPage',
      Next: 'DeliverInvoices',
    });
    const map = states().DeliverInvoices as AslState;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.sendPage.batches',
      ItemSelector: { 'runId.$': '$.run.runId', 'invoices.$': '$$.Map.Item.Value' },
      // 2 children × 5 invoices at once: the 10 emails in flight of deliveryConcurrency.
      MaxConcurrency: 2,
      ResultPath: null,
      Next: 'HasMoreToSend',
    });
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ItemProcessor?.StartAt).toBe('DeliverBatch');
    expect(mapStates('DeliverInvoices').DeliverBatch).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.invoices',
      ItemSelector: {
        'runId.$': '$.runId',
        'invoiceId.$': '$$.Map.Item.Value.invoiceId',
        'accountId.$': '$$.Map.Item.Value.accountId',
        'invoiceSk.$': '$$.Map.Item.Value.invoiceSk',
      },
      MaxConcurrency: 5,
      ResultPath: null,
      End: true,
    });
    expect(mapStates('DeliverInvoices').DeliverBatch?.ItemProcessor?.StartAt).toBe('StorePdf');
    // The e-invoice is deposited before the email goes: a failed submission keeps the invoice (email
    // included) in the queue for the next run instead of emailing a document the platform never got.
    expect(mapStates('DeliverInvoices').StorePdf).toMatchObject({ Next: 'SubmitEInvoice', ResultPath: null });
    expect(mapStates('DeliverInvoices').SubmitEInvoice).toMatchObject({
      Next: 'SendEmail',
      ResultPath: null,
    });
    expect(mapStates('DeliverInvoices').SendEmail).toMatchObject({ End: true, ResultPath: null });
    expect(states().HasMoreToSend).toEqual({
      Type: 'Choice',
      Choices: [{ Not: { Variable: '$.sendPage.cursor', IsNull: true }, Next: 'ListToSend' }],
      Default: 'FinishRun',
    });
    // The run's summary is the execution's output.
    expect(states().FinishRun).toMatchObject({ Parameters: { 'runId.$': '$.run.runId' }, End: true });
    expect(states().FinishRun).not.toHaveProperty('ResultPath');
    expect(states().FinishRun).not.toHaveProperty('OutputPath');
  });

  it('never reads items with ItemReader nor writes results with ResultWriter (the local runner ignores both)', () => {
    const text = JSON.stringify(asl);
    expect(text).not.toContain('ItemReader');
    expect(text).not.toContain('ResultWriter');
  });

  it('invokes every task as a Lambda ARN with payloadResponseOnly, never through lambda:invoke', () => {
    for (const [name, state] of allStates(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Resource, name).toMatch(/^arn:aws:lambda:local:000000000000:function:/);
      expect(functionOf(state), name).toBeDefined();
    }
    expect(JSON.stringify(asl)).not.toContain('states:::lambda:invoke');
  });

  it('retries every task on throttling and transient errors, with exponential backoff and full jitter', () => {
    const tasks = [...allStates(asl.States)].filter(([, state]) => state.Type === 'Task');
    expect(tasks).toHaveLength(12);
    for (const [name, state] of tasks) {
      const retried = (error: string) => state.Retry?.find((retrier) => retrier.ErrorEquals.includes(error));
      for (const error of [
        ...RETRYABLE_ERRORS,
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ]) {
        const retrier = retried(error);
        expect(retrier, `${name} retries ${error}`).toBeDefined();
        expect(retrier?.BackoffRate, name).toBe(2);
        expect(retrier?.JitterStrategy, name).toBe('FULL');
        expect(retrier?.MaxAttempts, name).toBeGreaterThanOrEqual(5);
      }
      if (name !== 'SendEmail' && name !== 'SubmitEInvoice') {
        expect(state.Retry, name).toEqual([
          expect.objectContaining({
            IntervalSeconds: 2,
            BackoffRate: 2,
            MaxAttempts: 5,
            JitterStrategy: 'FULL',
          }),
        ]);
      }
      // Nothing else is retried: a retry of a definite failure (NotFound, InvalidRecipient) only delays it.
      expect(state.Retry?.flatMap((retrier) => retrier.ErrorEquals)).not.toContain('States.ALL');
    }
  });

  it('retries SES throttling on SendEmail first, from 1 s, six times', () => {
    const retry = mapStates('DeliverInvoices').SendEmail?.Retry;
    expect(retry?.[0]).toEqual({
      ErrorEquals: ['Throttled'],
      IntervalSeconds: 1,
      BackoffRate: 2,
      MaxAttempts: 6,
      JitterStrategy: 'FULL',
    });
    expect(retry?.[1]?.ErrorEquals).toContain('TransientFailure');
    expect(retry?.[1]?.ErrorEquals).not.toContain('Throttled');
  });

  it('retries an unavailable platform on SubmitEInvoice first, from 1 s, five times, and nothing else there', () => {
    const retry = mapStates('DeliverInvoices').SubmitEInvoice?.Retry;
    expect(retry?.[0]).toEqual({
      ErrorEquals: ['PlatformUnavailable'],
      IntervalSeconds: 1,
      BackoffRate: 2,
      MaxAttempts: 5,
      JitterStrategy: 'FULL',
    });
    expect(retry?.[1]?.ErrorEquals).toContain('TransientFailure');
    expect(retry?.[1]?.ErrorEquals).not.toContain('PlatformUnavailable');
    // A refusal (our access, or no platform configured) goes to the Catch at once.
    for (const error of ['PlatformNotConfigured', 'PlatformRefused']) {
      expect(retry?.flatMap((retrier) => retrier.ErrorEquals)).not.toContain(error);
    }
  });

  it("catches every error of a map child's work into the failure recorder, keeping the child's input", () => {
    const expected: Record<string, string> = {
      BuildAccount: 'RecordBuildFailure',
      StorePdf: 'RecordDeliveryFailure',
      SubmitEInvoice: 'RecordDeliveryFailure',
      SendEmail: 'RecordDeliveryFailure',
    };
    for (const [name, state, map] of allStates(asl.States)) {
      if (state.Type !== 'Task' || map === '') continue;
      if (functionOf(state) === 'billing-record-failure') {
        expect(state.Catch, name).toBeUndefined();
        continue;
      }
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: expected[name] },
      ]);
    }
    expect(mapStates('BuildAccounts').RecordBuildFailure).toMatchObject({
      Parameters: {
        'runId.$': '$.runId',
        'accountId.$': '$.accountId',
        stage: 'build',
        'error.$': '$.error',
      },
      ResultPath: null,
      End: true,
    });
    expect(mapStates('DeliverInvoices').RecordDeliveryFailure).toMatchObject({
      Parameters: {
        'runId.$': '$.runId',
        'invoiceId.$': '$.invoiceId',
        stage: 'deliver',
        'error.$': '$.error',
      },
      ResultPath: null,
      End: true,
    });
  });

  it('takes the delivery concurrency from the stack and refuses nonsense', () => {
    const custom = new DeferredBillingStack(newTestApp(), 'Custom', { deliveryConcurrency: 4 });
    const resolved = resolveDefinition(
      Template.fromStack(custom).toJSON(),
      logicalIdOf(custom.billingWorkflow.stateMachine),
    ).asl as Asl;
    // Below the batch size, a batch is the concurrency: one child of 4 invoices at once.
    expect(resolved.States.DeliverInvoices?.MaxConcurrency).toBe(1);
    expect(resolved.States.DeliverInvoices?.ItemProcessor?.States.DeliverBatch?.MaxConcurrency).toBe(4);
    expect(resolved.States.BatchToSend?.Parameters?.['batches.$']).toBe(
      'States.ArrayPartition($.sendPage.invoices, 4)',
    );
    expect(() => new DeferredBillingStack(newTestApp(), 'Zero', { deliveryConcurrency: 0 })).toThrow(
      /deliveryConcurrency/,
    );
  });
});

describe('the billing-run state machine', () => {
  it('is a Standard workflow, traced, logging all events without execution data', () => {
    const resource = template.toJSON().Resources[logicalIdOf(stack.billingWorkflow.stateMachine)];
    expect(resource.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stack.billingWorkflow.logGroup), 'Arn'] },
            },
          },
        ],
      },
    });
    const logs = template.toJSON().Resources[logicalIdOf(stack.billingWorkflow.logGroup)].Properties;
    // Under the vendedlogs prefix, suffixed with the stack id's last group (a retry gets a new name).
    expect(logs.LogGroupName['Fn::Join'][1][0]).toBe('/aws/vendedlogs/states/Test-billing-run');
    expect(JSON.stringify(logs.LogGroupName)).toContain('AWS::StackId');
    expect(logs.RetentionInDays).toBe(90);
  });

  it('may invoke the ten billing functions and nothing else', () => {
    const roleId = logicalIdOf(stack.billingWorkflow.stateMachine.role);
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const invoked = statements
      .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((statement) => [statement.Resource].flat());
    const expected = Object.values(stack.billingWorkflow.functions).flatMap((fn) => {
      const arn = { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] };
      return [arn, { 'Fn::Join': ['', [arn, ':*']] }];
    });
    expect(invoked).toHaveLength(expected.length);
    expect(invoked).toEqual(expect.arrayContaining(expected));
  });
});

describe('the definition on aws-local-stepfunctions (what the local runner executes)', () => {
  type Handler = (input: Record<string, unknown>) => unknown;

  /** Runs the synthesized ASL as is, each task answered by `handlers[function name]`. */
  async function runLocally(
    input: Record<string, unknown>,
    handlers: Partial<Record<BillingFunctionName, Handler>>,
  ): Promise<{ output: unknown; entered: string[] }> {
    const taskHandlers: NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']> = {};
    for (const [name, state] of allStates(asl.States)) {
      if (state.Type !== 'Task') continue;
      const fn = functionOf(state) as BillingFunctionName;
      taskHandlers[name] = async (taskInput) => {
        const handler = handlers[fn];
        if (!handler) throw new Error(`no stub for ${fn}`);
        return (await handler(taskInput as Record<string, unknown>)) as never;
      };
    }
    const retries = Object.fromEntries(Object.keys(taskHandlers).map((name) => [name, 0]));
    const machine = new StateMachine(asl as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: taskHandlers,
        retryIntervalOverrides: retries,
        waitTimeOverrides: { ReviewWait: 0 },
      },
    });
    const entered: string[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') entered.push(event.state.name);
      }
    })();
    const output = await execution.result;
    await collecting;
    return { output, entered };
  }

  class Named extends Error {
    constructor(name: string, message = name) {
      super(message);
      this.name = name;
    }
  }

  it('pages, builds, survives a failed account, numbers in batches, delivers and returns the summary', async () => {
    const calls: Record<string, unknown[]> = {};
    const record = (fn: string, input: unknown) => {
      calls[fn] = [...(calls[fn] ?? []), input];
    };
    const duePages: Record<string, { accountIds: string[]; cursor: string | null }> = {
      start: { accountIds: ['acc_1', 'acc_2'], cursor: 'page2' },
      page2: { accountIds: ['acc_3'], cursor: null },
    };
    let throttledOnce = false;
    let numbering = 0;
    const { output, entered } = await runLocally(
      { trigger: 'api', cutOff: '2026-12-01' },
      {
        'billing-start-run': (input) => {
          record('start', input);
          return { runId: 'run_2026-12-01', cutOff: '2026-12-01', reviewSeconds: 0 };
        },
        'billing-list-due': (input) => {
          record('listDue', input);
          return duePages[(input.cursor as string | null) ?? 'start'];
        },
        'billing-build': (input) => {
          record('build', input);
          if (input.accountId === 'acc_2') throw new Named('NotFound', 'Account acc_2 does not exist');
          if (input.accountId === 'acc_3' && !throttledOnce) {
            throttledOnce = true;
            throw new Named('Throttled');
          }
          return { drafts: 1 };
        },
        'billing-record-failure': (input) => {
          record('failure', input);
          return null;
        },
        'billing-number': (input) => {
          record('number', input);
          numbering += 1;
          return { numbered: numbering === 1 ? 40 : 2, more: numbering === 1 };
        },
        'billing-list-to-send': (input) => {
          record('listToSend', input);
          return {
            invoices: [
              { invoiceId: 'inv_1', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
              { invoiceId: 'inv_2', accountId: 'acc_3', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
            ],
            cursor: null,
          };
        },
        'billing-store-pdf': (input) => {
          record('storePdf', input);
          return input;
        },
        'billing-submit-einvoice': (input) => {
          record('submit', input);
          return input;
        },
        'billing-email': (input) => {
          record('email', input);
          if (input.invoiceId === 'inv_2') throw new Named('InvalidRecipient', 'bad address');
          return input;
        },
        'billing-finish-run': (input) => {
          record('finish', input);
          return { runId: input.runId, status: 'succeeded' };
        },
      },
    );

    expect(output).toEqual({ runId: 'run_2026-12-01', status: 'succeeded' });
    expect(calls.start).toEqual([{ trigger: 'api', cutOff: '2026-12-01' }]);
    expect(calls.listDue).toEqual([
      { runId: 'run_2026-12-01', cutOff: '2026-12-01', cursor: null },
      { runId: 'run_2026-12-01', cutOff: '2026-12-01', cursor: 'page2' },
    ]);
    // acc_3 was throttled once and retried; acc_2 failed for good, was recorded, and stopped nobody.
    expect(calls.build).toHaveLength(4);
    expect(calls.build).toContainEqual({ runId: 'run_2026-12-01', cutOff: '2026-12-01', accountId: 'acc_1' });
    expect(calls.failure).toEqual([
      {
        runId: 'run_2026-12-01',
        accountId: 'acc_2',
        stage: 'build',
        error: { Error: 'NotFound', Cause: 'Account acc_2 does not exist' },
      },
      {
        runId: 'run_2026-12-01',
        invoiceId: 'inv_2',
        stage: 'deliver',
        error: { Error: 'InvalidRecipient', Cause: 'bad address' },
      },
    ]);
    expect(calls.number).toEqual([{ runId: 'run_2026-12-01' }, { runId: 'run_2026-12-01' }]);
    expect(calls.listToSend).toEqual([{ runId: 'run_2026-12-01', cursor: null }]);
    expect(calls.storePdf).toHaveLength(2);
    expect(calls.submit).toEqual(calls.storePdf);
    expect(calls.email).toEqual(
      expect.arrayContaining([
        {
          runId: 'run_2026-12-01',
          ...{ invoiceId: 'inv_1', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
        },
        {
          runId: 'run_2026-12-01',
          ...{ invoiceId: 'inv_2', accountId: 'acc_3', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
        },
      ]),
    );
    expect(calls.finish).toEqual([{ runId: 'run_2026-12-01' }]);
    expect(entered).not.toContain('ReviewWait');
  });

  it('waits for the review window before numbering when the run has one', async () => {
    const { entered } = await runLocally(
      { trigger: 'schedule' },
      {
        'billing-start-run': () => ({ runId: 'run_x', cutOff: '2026-12-01', reviewSeconds: 3600 }),
        'billing-list-due': () => ({ accountIds: [], cursor: null }),
        'billing-number': () => ({ numbered: 0, more: false }),
        'billing-list-to-send': () => ({ invoices: [], cursor: null }),
        'billing-finish-run': () => ({ runId: 'run_x' }),
      },
    );
    expect(entered.indexOf('ReviewWait')).toBeGreaterThan(entered.indexOf('ReviewWindow'));
    expect(entered.indexOf('NumberInvoices')).toBeGreaterThan(entered.indexOf('ReviewWait'));
  });
});
