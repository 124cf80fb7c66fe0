import { randomUUID } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_STATE_MACHINE_ARN } from '../../infra/local/environment.js';
import { type SfnEndpoint, startSfnEndpoint } from '../../infra/local/sfn-endpoint.js';
import {
  type BillingDefinition,
  type ExecutionIdentity,
  type ExecutionOutcome,
  type ExecutionRunner,
  localDefinition,
  SimulatedCrash,
  type TaskHandler,
} from '../../infra/local/state-machine.js';
import type { BillingRun, Invoice } from '../../shared/contracts/schemas/invoice.js';
import { BILLING_FUNCTIONS, type BillingFunctionName } from '../../shared/contracts/workflow/workflow.js';
import { addLocalDays } from '../../shared/core/domain/calendar.js';
import { localDate } from '../../shared/core/domain/periods.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  billingDefinition,
  runBilling,
  testBillingStateMachine,
  useIsolatedTable,
} from '../support/billing.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

// The workflow runs here bill every account due: keep them off the table the other files share.
useIsolatedTable('local-workflow');

/** A runner whose executions end when the test says so. */
class ControlledRunner implements ExecutionRunner {
  readonly started: Array<{
    input: unknown;
    identity: ExecutionIdentity;
    end(outcome: ExecutionOutcome): void;
  }> = [];
  start(input: unknown, identity: ExecutionIdentity) {
    let end!: (outcome: ExecutionOutcome) => void;
    let abort!: (error?: string, cause?: string) => void;
    const outcome = new Promise<ExecutionOutcome>((resolve) => {
      end = resolve;
      abort = (error, cause) =>
        resolve({
          status: 'ABORTED',
          ...(error ? { error } : {}),
          ...(cause ? { cause } : {}),
        });
    });
    this.started.push({ input, identity, end });
    return { identity, outcome, abort };
  }
  last() {
    const last = this.started.at(-1);
    if (!last) throw new Error('no execution started');
    return last;
  }
}

describe('the local Step Functions endpoint, through the real SFNClient', () => {
  let endpoint: SfnEndpoint;
  let sfn: SFNClient;
  const runner = new ControlledRunner();

  beforeAll(async () => {
    endpoint = await startSfnEndpoint({ port: 0, runner });
    sfn = new SFNClient({ endpoint: endpoint.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    sfn.destroy();
    await endpoint.stop();
  });

  const start = (name: string, input: unknown = { trigger: 'api', cutOff: '2026-11-01' }) =>
    sfn.send(
      new StartExecutionCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        name,
        input: JSON.stringify(input),
      }),
    );
  const describeExecution = (executionArn: string) =>
    sfn.send(new DescribeExecutionCommand({ executionArn }));

  it('starts an execution with its input, then describes it RUNNING and SUCCEEDED with its output', async () => {
    const name = `run_${randomUUID()}`;
    const before = Date.now();
    const started = await start(name, { trigger: 'api', cutOff: '2026-11-01', runId: name });
    expect(started.executionArn).toBe(`arn:aws:states:local:000000000000:execution:billing-run:${name}`);
    expect(started.startDate).toBeInstanceOf(Date);
    expect(started.startDate?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(runner.last().input).toEqual({ trigger: 'api', cutOff: '2026-11-01', runId: name });
    expect(runner.last().identity).toMatchObject({ name, executionArn: started.executionArn });

    const running = await describeExecution(started.executionArn as string);
    expect(running).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name,
      status: 'RUNNING',
      input: JSON.stringify({ trigger: 'api', cutOff: '2026-11-01', runId: name }),
    });
    expect(running.stopDate).toBeUndefined();

    runner.last().end({ status: 'SUCCEEDED', output: { runId: name, invoiced: 3 } });
    await endpoint.idle();
    const done = await describeExecution(started.executionArn as string);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ runId: name, invoiced: 3 });
    expect(done.stopDate?.getTime()).toBeGreaterThanOrEqual(done.startDate?.getTime() as number);
  });

  it('is idempotent on the name like Standard workflows: same input while running, else ExecutionAlreadyExists', async () => {
    const name = `run_${randomUUID()}`;
    const first = await start(name);
    const count = runner.started.length;
    const again = await start(name);
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    expect(runner.started).toHaveLength(count); // no second execution
    await expect(start(name, { trigger: 'api', cutOff: '2026-10-01' })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    runner.last().end({ status: 'SUCCEEDED', output: {} });
    await endpoint.idle();
    await expect(start(name)).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('names an execution when no name is given', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN }));
    expect(started.executionArn).toMatch(/:execution:billing-run:[0-9a-f-]{36}$/);
    expect(runner.last().input).toEqual({});
    runner.last().end({ status: 'SUCCEEDED', output: null });
  });

  it('reports a failed execution with its error and cause', async () => {
    const started = await start(`run_${randomUUID()}`);
    runner.last().end({ status: 'FAILED', error: 'TransientFailure', cause: '{"errorMessage":"DynamoDB"}' });
    await endpoint.idle();
    expect(await describeExecution(started.executionArn as string)).toMatchObject({
      status: 'FAILED',
      error: 'TransientFailure',
      cause: '{"errorMessage":"DynamoDB"}',
    });
  });

  it('stops an execution (ABORTED) with StopExecution', async () => {
    const started = await start(`run_${randomUUID()}`);
    await sfn.send(
      new StopExecutionCommand({
        executionArn: started.executionArn,
        error: 'Operator',
        cause: 'stopped by hand',
      }),
    );
    await endpoint.idle();
    expect(await describeExecution(started.executionArn as string)).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'stopped by hand',
    });
  });

  it('lists executions newest first, filtered by status, page by page', async () => {
    const names = [`a_${randomUUID()}`, `b_${randomUUID()}`];
    for (const name of names) await start(name);
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, statusFilter: 'RUNNING' }),
    );
    expect(running.executions?.map((execution) => execution.name)).toEqual([...names].reverse());
    const firstPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, maxResults: 1 }),
    );
    expect(firstPage.executions).toHaveLength(1);
    expect(firstPage.nextToken).toBeDefined();
    const secondPage = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        maxResults: 1,
        nextToken: firstPage.nextToken,
      }),
    );
    expect(secondPage.executions?.[0]?.name).not.toBe(firstPage.executions?.[0]?.name);
    for (const execution of runner.started.slice(-2)) execution.end({ status: 'SUCCEEDED', output: {} });
    await endpoint.idle();
  });

  it('answers the errors of the real API, as the SDK exceptions', async () => {
    await expect(
      describeExecution(`${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:missing`),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other',
        }),
      ),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(start('has space')).rejects.toBeInstanceOf(InvalidName);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, input: '{not json' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
  });

  it('is what AWS_ENDPOINT_URL_SFN points at in tests, so application code needs no endpoint option', async () => {
    expect(process.env.AWS_ENDPOINT_URL_SFN).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.STATE_MACHINE_ARN).toBe(LOCAL_STATE_MACHINE_ARN);
    const client = new SFNClient({});
    try {
      const listed = await client.send(
        new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN }),
      );
      expect(listed.executions).toEqual(expect.any(Array));
    } finally {
      client.destroy();
    }
  });
});

describe('the billing workflow synthesized from the CDK stack', () => {
  let definition: BillingDefinition;
  beforeAll(async () => {
    definition = await billingDefinition();
  });

  it('binds every Task state to a function of BILLING_FUNCTIONS, each called by its ARN', () => {
    expect(definition.tasks.length).toBeGreaterThan(0);
    for (const task of definition.tasks) {
      expect(BILLING_FUNCTIONS).toContain(task.functionName);
      expect(task.integration).toBe('function'); // payloadResponseOnly, as shared/contracts/workflow/workflow.ts says
    }
    expect(new Set(definition.tasks.map((task) => task.functionName))).toEqual(new Set(BILLING_FUNCTIONS));
    expect(Object.values(definition.functionsByArn).sort()).toEqual([...BILLING_FUNCTIONS].sort());
  });

  it('is written in JSONPath with Distributed Maps fed by ItemsPath (what runs locally)', () => {
    const text = JSON.stringify(definition.asl);
    expect(text).not.toMatch(/"QueryLanguage":"JSONata"/);
    expect(text).not.toContain('"ItemReader"');
    expect(text).toContain('"Mode":"DISTRIBUTED"');
  });

  it('runs locally with "not null" choices rewritten and Lambda timeouts on tasks', () => {
    const local = JSON.stringify(localDefinition(definition));
    expect(local).not.toMatch(/"Is(Null|Present|Numeric|String|Boolean|Timestamp)":false/);
    for (const task of definition.tasks) {
      if (definition.functionTimeouts[task.functionName] === undefined) continue;
      expect(local).toContain(`"TimeoutSeconds":${definition.functionTimeouts[task.functionName]}`);
    }
  });

  /** Handlers that follow the contract of shared/contracts/workflow/workflow.ts over two pages of everything. */
  function contractHandlers(calls: Array<[BillingFunctionName, unknown]>) {
    let numbered = 0;
    let throttled = 0;
    const fail = (name: string, message: string) => Object.assign(new Error(message), { name });
    const handlers: Record<BillingFunctionName, (event: never) => unknown> = {
      'billing-start-run': (input: { cutOff: string }) => ({
        runId: 'run_contract',
        cutOff: input.cutOff,
        reviewSeconds: 3600,
      }),
      'billing-list-due': (input: { cursor: string | null }) =>
        input.cursor === null
          ? { accountIds: ['acc_1', 'acc_missing'], cursor: 'page-2' }
          : { accountIds: ['acc_2'], cursor: null },
      'billing-build': (input: { accountId: string }) => {
        if (input.accountId === 'acc_missing') throw fail('NotFound', 'No account acc_missing');
        if (input.accountId === 'acc_2' && throttled++ < 2) throw fail('Throttled', 'Slow down');
        return { drafts: 1 };
      },
      'billing-record-failure': () => ({}),
      'billing-number': () => ({ numbered: 1, more: ++numbered < 2 }),
      'billing-list-to-send': (input: { cursor: string | null }) =>
        input.cursor === null
          ? {
              invoices: [{ invoiceId: 'inv_1', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' }],
              cursor: 'next',
            }
          : {
              invoices: [{ invoiceId: 'inv_2', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' }],
              cursor: null,
            },
      'billing-store-pdf': (input) => input,
      'billing-submit-einvoice': (input) => input,
      'billing-email': (input) => input,
      'billing-finish-run': (input: { runId: string }) => ({ runId: input.runId, status: 'succeeded' }),
    };
    return async (name: BillingFunctionName): Promise<TaskHandler> =>
      (async (event: never) => {
        calls.push([name, event]);
        return handlers[name](event);
      }) as TaskHandler;
  }

  it('drives contract-shaped handlers through every page, retry, catch and loop to FinishRun', async () => {
    const calls: Array<[BillingFunctionName, unknown]> = [];
    const outcome = await testBillingStateMachine({ loadHandler: contractHandlers(calls) }).run({
      trigger: 'api',
      cutOff: '2026-11-01',
    });
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { runId: 'run_contract', status: 'succeeded' } });
    const inputsOf = (name: BillingFunctionName) =>
      calls.filter(([n]) => n === name).map(([, input]) => input);
    expect(inputsOf('billing-list-due')).toEqual([
      { runId: 'run_contract', cutOff: '2026-11-01', cursor: null },
      { runId: 'run_contract', cutOff: '2026-11-01', cursor: 'page-2' },
    ]);
    expect(inputsOf('billing-build')).toEqual(
      expect.arrayContaining([
        { runId: 'run_contract', cutOff: '2026-11-01', accountId: 'acc_1' },
        { runId: 'run_contract', cutOff: '2026-11-01', accountId: 'acc_2' },
      ]),
    );
    expect(
      inputsOf('billing-build').filter((input) => (input as { accountId: string }).accountId === 'acc_2'),
    ).toHaveLength(3); // Throttled twice, retried
    expect(inputsOf('billing-record-failure')).toEqual([
      {
        runId: 'run_contract',
        accountId: 'acc_missing',
        stage: 'build',
        error: {
          Error: 'NotFound',
          Cause: expect.stringContaining('"errorMessage":"No account acc_missing"'),
        },
      },
    ]);
    expect(inputsOf('billing-number')).toEqual([{ runId: 'run_contract' }, { runId: 'run_contract' }]);
    expect(inputsOf('billing-store-pdf')).toEqual([
      {
        runId: 'run_contract',
        ...{ invoiceId: 'inv_1', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
      },
      {
        runId: 'run_contract',
        ...{ invoiceId: 'inv_2', accountId: 'acc_1', invoiceSk: 'INVOICE#2026-11-01#EUR#-' },
      },
    ]);
    // SubmitEInvoice gets what StorePdf returns (its own input), and SendEmail what SubmitEInvoice returns.
    expect(inputsOf('billing-submit-einvoice')).toEqual(inputsOf('billing-store-pdf'));
    expect(inputsOf('billing-email')).toEqual(inputsOf('billing-store-pdf'));
    expect(inputsOf('billing-finish-run')).toEqual([{ runId: 'run_contract' }]);
  });

  it('stops the whole execution when a step crashes (SimulatedCrash), after that step and before any other', async () => {
    const calls: Array<[BillingFunctionName, unknown]> = [];
    const outcome = await testBillingStateMachine({
      loadHandler: contractHandlers(calls),
      wrapHandler: (name, handler) =>
        name === 'billing-number'
          ? async (event: never, context) => {
              await handler(event, context);
              throw new SimulatedCrash('after numbering');
            }
          : handler,
    }).run({ trigger: 'api', cutOff: '2026-11-01' });
    expect(outcome).toEqual({ status: 'ABORTED', error: 'SimulatedCrash', cause: 'after numbering' });
    expect(calls.map(([name]) => name)).toContain('billing-number');
    expect(calls.map(([name]) => name)).not.toContain('billing-list-to-send');
  });

  it('fails the execution like Lambda when a step throws outside any Catch', async () => {
    const calls: Array<[BillingFunctionName, unknown]> = [];
    const outcome = await testBillingStateMachine({
      loadHandler: contractHandlers(calls),
      wrapHandler: (name, handler) =>
        name === 'billing-start-run'
          ? () => {
              throw new TypeError('Cannot read properties of undefined');
            }
          : handler,
    }).run({ trigger: 'api', cutOff: '2026-11-01' });
    expect(outcome.status).toBe('FAILED');
    if (outcome.status !== 'FAILED') return;
    expect(outcome.error).toBe('TypeError');
    expect(JSON.parse(outcome.cause)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'Cannot read properties of undefined',
      trace: expect.any(Array),
    });
  });

  it('records a run failed, with the reason, when a top-level step keeps failing, then fails the execution', async () => {
    const calls: Array<[BillingFunctionName, unknown]> = [];
    const outcome = await testBillingStateMachine({
      loadHandler: contractHandlers(calls),
      wrapHandler: (name, handler) =>
        name === 'billing-list-due'
          ? () => {
              throw new TypeError('Cannot read properties of undefined');
            }
          : handler,
    }).run({ trigger: 'schedule', cutOff: '2026-11-01' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'BillingRunFailed' });
    expect(calls.filter(([name]) => name === 'billing-record-failure').map(([, input]) => input)).toEqual([
      {
        runId: 'run_contract',
        stage: 'run',
        error: { Error: 'TypeError', Cause: expect.stringContaining('Cannot read properties of undefined') },
      },
    ]);
    expect(calls.map(([name]) => name)).not.toContain('billing-finish-run');
  });

  it('runs the real handlers end to end (runBilling)', async () => {
    // Nothing is due yet in this file's table: the run goes through every step with empty pages.
    const outcome = await runBilling({
      cutOff: '2020-01-01',
      runId: `run_2020-01-01_${randomUUID().slice(0, 8)}`,
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('a billing run started through the API, on the local stack', () => {
  let api: TestApi;
  let operator: HttpClient;
  beforeAll(async () => {
    api = await startTestApi();
    operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  });
  afterAll(() => api.close());

  it('refuses a cut-off after today, naming it: the periods it would close have not ended', async () => {
    const tomorrow = addLocalDays(localDate(new Date(), 'Europe/Paris'), 1);
    const refused = await operator.post('/v1/billing-runs', { cutOff: tomorrow });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'cut_off_in_future',
      errors: [{ field: 'cutOff', reason: expect.stringContaining('or earlier') }],
    });
  });

  it('goes API → SFNClient → local endpoint → workflow → handlers: one invoice, stored and emailed', async () => {
    // Orders in October (one at 23:30 Paris on the 31st), placed with a clock set then.
    const clock = new TestClock(new Date('2026-10-10T08:00:00Z'));
    const services = givenServices(clock);
    const email = `billing+${randomUUID().slice(0, 8)}@buyer.example`;
    const { storefrontId, accountId } = await givenEnrolledAccount(services, {
      billingEmails: [email],
      contract: { reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' },
    });
    const grossOf: number[] = [];
    for (const at of ['2026-10-15T09:00:00Z', '2026-10-31T22:30:00Z']) {
      clock.set(at);
      const { order } = await placeOrder(services, {
        storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(accountId),
      });
      expect(order.billingPeriod.startDate).toBe('2026-10-01');
      grossOf.push(order.totals.grossMinor);
    }

    const started = await operator.post('/v1/billing-runs', { cutOff: '2026-10-31' });
    expect(started.status, started.text).toBe(202);
    let run = started.body as BillingRun;
    const deadline = Date.now() + 45_000;
    while (run.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      run = (await operator.get(`/v1/billing-runs/${run.runId}`)).body as BillingRun;
    }
    expect(run, JSON.stringify(run)).toMatchObject({
      status: 'succeeded',
      accountsDue: 1,
      invoiced: 1,
      failed: 0,
      invoicesIssued: 1,
      invoicesSent: 1,
      failures: [],
    });

    const invoices = (await operator.get(`/v1/accounts/${accountId}/invoices`)).body as { items: Invoice[] };
    expect(invoices.items).toHaveLength(1);
    const [invoice] = invoices.items as [Invoice];
    expect(invoice).toMatchObject({
      status: 'sent',
      period: { startDate: '2026-10-01', endDate: '2026-10-31' },
      orderCount: 2,
      totals: { grossMinor: grossOf.reduce((sum, gross) => sum + gross, 0) },
    });
    expect(invoice.number).toMatch(/^\d{4}-\d{6}$/);

    const s3 = new S3Client({ forcePathStyle: true });
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: process.env.INVOICE_BUCKET_NAME, Key: invoice.pdf?.s3Key }),
      );
      const pdf = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      s3.destroy();
    }
    const store = (await (await fetch(`${process.env.AWS_ENDPOINT_URL_SES}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] }; attachments: Array<{ contentType: string }> }>;
    };
    const sent = store.emails.filter((message) => message.destination.to.some((to) => to.includes(email)));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attachments.map((attachment) => attachment.contentType)).toContain('application/pdf');
  });
});
