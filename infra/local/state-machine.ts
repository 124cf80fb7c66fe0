/**
 * The billing workflow, run locally from the very definition the CDK stack deploys: the stack is synthesized
 * in-process (bundling skipped), its state machine's `DefinitionString` resolved into plain ASL
 * (infra/constructs/asl.ts), and each Task state bound to the handler of its function,
 * `functions/<name>/handler.ts`, through aws-local-stepfunctions' `taskResourceLocalHandlers`.
 *
 * A handler is called like Lambda calls it (`handler(event, context)`, JSON in and out) and fails like
 * Lambda fails: the error's name is the `Error` that Retry and Catch match, and the `Cause` is Lambda's JSON
 * `{"errorType","errorMessage","trace"}`. Handlers are imported on first use and cached (one "container"
 * per function and runner).
 */

import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { BILLING_FUNCTIONS, type BillingFunctionName } from '../../shared/contracts/workflow/workflow.js';
import { executionArnOf, LOCAL_STATE_MACHINE_ARN } from './environment.js';
import { localLambdaContext } from './lambda-context.js';
import { installPolyfills } from './polyfills.js';
import { CACHE_DIR, REPO_ROOT } from './settings.js';

/** A Lambda handler as the functions export it. */
export type TaskHandler = (event: never, context: Context) => unknown;

/** One Task state of the definition (nested Map processors included) and the function it runs. */
export interface TaskBinding {
  stateName: string;
  functionName: BillingFunctionName;
  /** `function`: the resource is the function ARN (`payloadResponseOnly`); `invoke`: `lambda:invoke`. */
  integration: 'function' | 'invoke';
}

/** The synthesized workflow, as plain JSON (it crosses process boundaries: vitest's `provide`, the cache). */
export interface BillingDefinition {
  asl: StateMachineDefinition;
  /** Resolved function ARN → function name (from the stack's `DeferredBillingFunction` metadata). */
  functionsByArn: Record<string, string>;
  tasks: TaskBinding[];
  /** Names of the states that have a Retry, and of the Wait states (for the interval overrides). */
  retryStates: string[];
  waitStates: string[];
  /** Each function's Lambda timeout in seconds, from the template (what bounds a task on AWS). */
  functionTimeouts: Record<string, number>;
}

export interface LoadDefinitionOptions {
  /** Time zone given to the stack (context `marketplaceTimeZone`). @default 'Europe/Paris' */
  marketplaceTimeZone?: string;
  /**
   * Reuse the definition cached in `.local/cache` when no source that shapes it changed (a synthesis takes
   * several seconds). @default true
   */
  diskCache?: boolean;
}

/** Bump when the cached file's shape or the way it is derived changes. */
const CACHE_FORMAT = 'billing-definition-v1';
/** What the synthesized definition depends on, hashed for the disk cache key (this file included). */
const DEFINITION_SOURCES = ['infra', 'shared', 'package-lock.json'];
const LOCAL_FOLDER = join(REPO_ROOT, 'infra', 'local');
const THIS_FILE = fileURLToPath(import.meta.url);

const memo = new Map<string, Promise<BillingDefinition>>();

/**
 * The billing workflow's definition, synthesized once per process (and cached on disk across processes,
 * keyed by a hash of `infra/` (outside `infra/local`, but this file), `shared/` and the lock file).
 */
export function loadBillingDefinition(options: LoadDefinitionOptions = {}): Promise<BillingDefinition> {
  const timeZone = options.marketplaceTimeZone ?? 'Europe/Paris';
  const key = `${timeZone}|${options.diskCache !== false}`;
  let loading = memo.get(key);
  if (!loading) {
    loading = loadDefinition(timeZone, options.diskCache !== false);
    memo.set(key, loading);
    // A failure is not remembered: the next call tries again (the construct may be fixed meanwhile).
    loading.catch(() => memo.delete(key));
  }
  return loading;
}

async function loadDefinition(timeZone: string, diskCache: boolean): Promise<BillingDefinition> {
  if (!diskCache) return synthesizeBillingDefinition(timeZone);
  const hash = await sourcesHash(timeZone);
  const file = join(CACHE_DIR, `${CACHE_FORMAT}-${hash}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as BillingDefinition;
    } catch {
      // A torn or foreign file: synthesize again and overwrite it.
    }
  }
  const definition = await synthesizeBillingDefinition(timeZone);
  await mkdir(CACHE_DIR, { recursive: true });
  for (const old of await readdir(CACHE_DIR)) {
    if (old.startsWith(`${CACHE_FORMAT}-`) && old.endsWith('.json')) {
      await unlink(join(CACHE_DIR, old)).catch(() => {});
    }
  }
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(definition));
  await rename(temporary, file);
  return definition;
}

async function sourcesHash(timeZone: string): Promise<string> {
  const hash = createHash('sha256').update(`${CACHE_FORMAT}\n${timeZone}\n`);
  for (const source of DEFINITION_SOURCES) {
    const path = join(REPO_ROOT, source);
    if (!existsSync(path)) continue;
    const files = source.endsWith('.json')
      ? [path]
      : (await readdir(path, { recursive: true }))
          .map((name) => join(path, name))
          .filter(
            (file) =>
              /\.(ts|json)$/.test(file) && (!file.startsWith(`${LOCAL_FOLDER}/`) || file === THIS_FILE),
          )
          .sort();
    for (const file of files) {
      hash.update(`${relative(REPO_ROOT, file)}\n`).update(await readFile(file).catch(() => Buffer.alloc(0)));
    }
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * Synthesizes the stack in-process without bundling or cdk-nag (the infra tests check those) and returns
 * the workflow's ASL with every Task bound to a function of BILLING_FUNCTIONS. Throws, saying why, when the
 * template has no such state machine or a Task runs something else.
 */
export async function synthesizeBillingDefinition(timeZone = 'Europe/Paris'): Promise<BillingDefinition> {
  // Imported here, not at the top: aws-cdk-lib is large and most callers get a cached definition.
  const [{ App }, { Template }, { DeferredBillingStack }, { resolveDefinition, FUNCTION_NAME_METADATA }] =
    await Promise.all([
      import('aws-cdk-lib'),
      import('aws-cdk-lib/assertions'),
      import('../stacks/billing-stack.js'),
      import('../constructs/asl.js'),
    ]);
  const outdir = await mkdtemp(join(tmpdir(), 'billing-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new DeferredBillingStack(app, 'DeferredBilling', { marketplaceTimeZone: timeZone });
    const template = Template.fromStack(stack).toJSON();
    // The billing run's state machine (the stack has others, the receivables follow-up's among them).
    const billing = stack.billingWorkflow.stateMachine.node.defaultChild as CfnElement;
    const resolved = resolveDefinition(template, stack.getLogicalId(billing));
    const asl = (typeof resolved.asl === 'string' ? JSON.parse(resolved.asl) : resolved.asl) as unknown;
    const functionTimeouts: Record<string, number> = {};
    for (const resource of Object.values((template.Resources ?? {}) as Record<string, TemplateResource>)) {
      const name = resource.Metadata?.[FUNCTION_NAME_METADATA];
      const timeout = resource.Properties?.Timeout;
      if (
        resource.Type === 'AWS::Lambda::Function' &&
        typeof name === 'string' &&
        typeof timeout === 'number'
      ) {
        functionTimeouts[name] = timeout;
      }
    }
    return bindDefinition(asl as StateMachineDefinition, { ...resolved.functionsByArn }, functionTimeouts);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

interface TemplateResource {
  Type?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

type AnyState = StateMachineDefinition['States'][string] & {
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: unknown[];
  ItemProcessor?: { States: StateMachineDefinition['States'] };
  Iterator?: { States: StateMachineDefinition['States'] };
  Branches?: Array<{ States: StateMachineDefinition['States'] }>;
};

/** Every state of a definition, nested ones (Map processors, Parallel branches) included. */
function* allStates(states: StateMachineDefinition['States']): Generator<[string, AnyState]> {
  for (const [name, state] of Object.entries(states) as Array<[string, AnyState]>) {
    yield [name, state];
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* allStates(processor.States);
    for (const branch of state.Branches ?? []) yield* allStates(branch.States);
  }
}

const LAMBDA_INVOKE = /^arn:[\w-]+:states:::lambda:invoke$/;
const isBillingFunction = (name: string): name is BillingFunctionName =>
  (BILLING_FUNCTIONS as readonly string[]).includes(name);

/**
 * Binds every Task state of `asl` to its function through `functionsByArn`. aws-local-stepfunctions keys
 * its local handlers by state name, so two Task states of one name must run the same function.
 */
export function bindDefinition(
  asl: StateMachineDefinition,
  functionsByArn: Record<string, string>,
  functionTimeouts: Record<string, number> = {},
): BillingDefinition {
  const tasks: TaskBinding[] = [];
  const retryStates = new Set<string>();
  const waitStates = new Set<string>();
  const byState = new Map<string, TaskBinding>();
  const functionOf = (arn: unknown): string | undefined =>
    typeof arn === 'string'
      ? (functionsByArn[arn] ?? functionsByArn[arn.replace(/:(\$LATEST|[\w-]+)$/, '')])
      : undefined;
  for (const [stateName, state] of allStates(asl.States)) {
    if (state.Retry?.length) retryStates.add(stateName);
    if (state.Type === 'Wait') waitStates.add(stateName);
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const invoke = LAMBDA_INVOKE.test(resource);
    const target = invoke ? state.Parameters?.FunctionName : resource;
    const functionName = functionOf(target);
    if (!functionName) {
      throw new Error(
        `Task state "${stateName}" runs ${JSON.stringify(target ?? resource)}, which is no function of the ` +
          `stack's DeferredBillingFunction metadata (known: ${Object.values(functionsByArn).join(', ') || 'none'})`,
      );
    }
    if (!isBillingFunction(functionName)) {
      throw new Error(
        `Task state "${stateName}" runs ${functionName}, which is not in BILLING_FUNCTIONS (shared/contracts/workflow/workflow.ts)`,
      );
    }
    const binding: TaskBinding = { stateName, functionName, integration: invoke ? 'invoke' : 'function' };
    const known = byState.get(stateName);
    if (known && (known.functionName !== functionName || known.integration !== binding.integration)) {
      throw new Error(
        `Two Task states are named "${stateName}" but run different functions (${known.functionName}, ${functionName}): ` +
          'the local runner binds handlers by state name',
      );
    }
    if (!known) {
      byState.set(stateName, binding);
      tasks.push(binding);
    }
  }
  if (tasks.length === 0) throw new Error('The billing workflow has no Task state');
  return {
    asl,
    functionsByArn,
    tasks,
    retryStates: [...retryStates],
    waitStates: [...waitStates],
    functionTimeouts,
  };
}

const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;
type ChoiceRule = Record<string, unknown> & { And?: ChoiceRule[]; Or?: ChoiceRule[]; Not?: ChoiceRule };

/**
 * aws-local-stepfunctions 3.0.0 evaluates a type test set to false (`"IsNull": false`, which CDK writes for
 * `Condition.isNotNull`) as always false, where Step Functions means "is not null": a pagination loop would
 * stop after its first page. Each such rule is rewritten as the equivalent `Not` of the true test.
 */
function fixChoiceRule(rule: ChoiceRule): ChoiceRule {
  const fixed: ChoiceRule = { ...rule };
  if (fixed.And) fixed.And = fixed.And.map(fixChoiceRule);
  if (fixed.Or) fixed.Or = fixed.Or.map(fixChoiceRule);
  if (fixed.Not) fixed.Not = fixChoiceRule(fixed.Not);
  for (const test of TYPE_TESTS) {
    if (fixed[test] === false) {
      const { Next, [test]: _negated, ...condition } = fixed;
      return { ...(Next === undefined ? {} : { Next }), Not: { ...condition, [test]: true } };
    }
  }
  return fixed;
}

/**
 * The definition as the local runner executes it: the same states, with the library's gaps closed. Type
 * tests set to false become `Not` (see fixChoiceRule); a Task without its own timeout gets its function's
 * Lambda timeout (aws-local-stepfunctions would otherwise cut every task at 60 s, where AWS lets the
 * function run to its own timeout).
 */
export function localDefinition(definition: BillingDefinition): StateMachineDefinition {
  const asl = JSON.parse(JSON.stringify(definition.asl)) as StateMachineDefinition;
  const functionOf = new Map(definition.tasks.map((task) => [task.stateName, task.functionName]));
  for (const [name, state] of allStates(asl.States)) {
    const mutable = state as unknown as {
      Type: string;
      Choices?: ChoiceRule[];
      TimeoutSeconds?: number;
      TimeoutSecondsPath?: string;
    };
    if (mutable.Type === 'Choice' && mutable.Choices) mutable.Choices = mutable.Choices.map(fixChoiceRule);
    if (mutable.Type === 'Task' && mutable.TimeoutSeconds === undefined && !mutable.TimeoutSecondsPath) {
      const timeout = definition.functionTimeouts?.[functionOf.get(name) ?? ''];
      if (timeout) mutable.TimeoutSeconds = timeout;
    }
  }
  return asl;
}

// ---------------------------------------------------------------------------------------------------------
// Running executions.

export interface BillingStateMachineOptions {
  /**
   * The definition, or how to get it (for example from the test global setup). By default it is loaded with
   * loadBillingDefinition on first use.
   */
  definition?: BillingDefinition | (() => Promise<BillingDefinition>);
  /** Passed to loadBillingDefinition when `definition` is absent. */
  load?: LoadDefinitionOptions;
  /**
   * Milliseconds to wait before each retry instead of the definition's backoff: a number applies to every
   * state with a Retry (tests pass 0); an object sets it per state (aws-local-stepfunctions' format).
   */
  retryIntervalOverrides?: number | Record<string, number | number[]>;
  /** Milliseconds a Wait state pauses instead of its own duration: a number for every Wait, or per state. */
  waitTimeOverrides?: number | Record<string, number>;
  /**
   * Wraps each function's handler once, when first loaded, so a test can fail, slow down, or crash a step
   * (throw {@link SimulatedCrash}) without touching the handlers.
   */
  wrapHandler?: (name: BillingFunctionName, handler: TaskHandler) => TaskHandler;
  /** Loads a function's handler; `functions/<name>/handler.ts` by default. */
  loadHandler?: (name: BillingFunctionName) => Promise<TaskHandler>;
  /** Every event of every execution (state entered, retried, caught, map iterations …), for debugging. */
  onEvent?: (event: unknown, execution: ExecutionIdentity) => void;
}

/** Who an execution is, as Step Functions names it (also the `$$.Execution` and `$$.StateMachine` context). */
export interface ExecutionIdentity {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  startDate: Date;
}

export type ExecutionOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: string; cause: string }
  | { status: 'ABORTED'; error?: string; cause?: string };

export interface RunningExecution {
  readonly identity: ExecutionIdentity;
  /** Settles once the execution ended and every handler call it made has returned; never rejects. */
  readonly outcome: Promise<ExecutionOutcome>;
  /** Stops the execution (like StopExecution): no new step starts; steps in flight finish. */
  abort(error?: string, cause?: string): void;
}

/** What the local Step Functions endpoint needs from a runner. */
export interface ExecutionRunner {
  start(input: unknown, identity: ExecutionIdentity): RunningExecution;
}

/**
 * Thrown by a wrapped handler to simulate a crash of the workflow right there: the execution stops at once
 * (ABORTED, like StopExecution), the step's own effects stay, nothing after it runs.
 */
export class SimulatedCrash extends Error {
  constructor(message = 'Simulated crash') {
    super(message);
    this.name = 'SimulatedCrash';
  }
}

/** How a Lambda function failed, as Step Functions sees it: the error name, and Lambda's JSON as cause. */
class LambdaError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);

const defaultLoader = async (name: BillingFunctionName): Promise<TaskHandler> => {
  let module: { handler?: unknown };
  try {
    module = await import(new URL(`${name}/handler.ts`, FUNCTIONS_DIR).href);
  } catch (error) {
    // What Lambda answers when the module cannot be loaded.
    throw Object.assign(new Error(`functions/${name}/handler.ts: ${(error as Error).message}`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  if (typeof module.handler !== 'function') {
    throw Object.assign(new Error(`functions/${name}/handler.ts exports no handler`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return module.handler as TaskHandler;
};

/** An identity for an execution started in-process (tests, scripts). */
export function newExecutionIdentity(
  name: string = randomUUID(),
  stateMachineArn: string = LOCAL_STATE_MACHINE_ARN,
): ExecutionIdentity {
  return {
    name,
    stateMachineArn,
    executionArn: executionArnOf(stateMachineArn, name),
    startDate: new Date(),
  };
}

/**
 * A runner of the billing workflow. Creating it is instant; the definition loads on first use (or comes
 * with the options). If it cannot load, every execution fails with `States.Runtime` saying why.
 */
export class BillingStateMachine implements ExecutionRunner {
  private definitionPromise: Promise<BillingDefinition> | undefined;
  private readonly handlers = new Map<BillingFunctionName, Promise<TaskHandler>>();

  constructor(private readonly options: BillingStateMachineOptions = {}) {
    installPolyfills();
  }

  /** The definition this runner executes (loading it if needed). */
  definition(): Promise<BillingDefinition> {
    if (!this.definitionPromise) {
      const given = this.options.definition;
      const loading =
        typeof given === 'function'
          ? given()
          : given
            ? Promise.resolve(given)
            : loadBillingDefinition(this.options.load);
      this.definitionPromise = loading;
      loading.catch(() => {
        // Try again on the next execution rather than failing forever.
        if (this.definitionPromise === loading) this.definitionPromise = undefined;
      });
    }
    return this.definitionPromise;
  }

  /** Runs one execution to its end. */
  run(input: unknown, identity: ExecutionIdentity = newExecutionIdentity()): Promise<ExecutionOutcome> {
    return this.start(input, identity).outcome;
  }

  start(input: unknown, identity: ExecutionIdentity): RunningExecution {
    const inFlight = new Set<Promise<unknown>>();
    let stopped: { error?: string; cause?: string } | undefined;
    let abortRun: (() => void) | undefined;
    const abort = (error?: string, cause?: string) => {
      if (stopped) return;
      stopped = { ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
      abortRun?.();
    };

    const execute = async (): Promise<ExecutionOutcome> => {
      let definition: BillingDefinition;
      try {
        definition = await this.definition();
      } catch (error) {
        return {
          status: 'FAILED',
          error: 'States.Runtime',
          cause: `The local runner could not load the billing workflow: ${(error as Error).message}`,
        };
      }
      if (stopped) return { status: 'ABORTED', ...stopped };
      const local = localDefinition(definition);
      const machine = new StateMachine(local, {
        validationOptions: { checkArn: false, checkPaths: true },
      });
      const timeouts = taskTimeouts(local);
      const call = (binding: TaskBinding) => async (payload: unknown) => {
        if (stopped) throw new LambdaError('States.Runtime', 'The execution was stopped');
        const timeoutSeconds = timeouts.get(binding.stateName) ?? DEFAULT_TASK_TIMEOUT_SECONDS;
        const invocation = this.invoke(binding, payload, abort, timeoutSeconds);
        inFlight.add(invocation);
        try {
          return await invocation;
        } finally {
          inFlight.delete(invocation);
        }
      };
      const runOptions: RunOptions = {
        overrides: {
          taskResourceLocalHandlers: Object.fromEntries(
            definition.tasks.map((binding) => [binding.stateName, call(binding)]),
          ) as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
          ...overridesFor(
            'retryIntervalOverrides',
            this.options.retryIntervalOverrides,
            definition.retryStates,
          ),
          ...overridesFor('waitTimeOverrides', this.options.waitTimeOverrides, definition.waitStates),
        },
        context: {
          Execution: {
            Id: identity.executionArn,
            Name: identity.name,
            RoleArn: 'arn:aws:iam::000000000000:role/local',
            StartTime: identity.startDate.toISOString(),
          },
          StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineArn.split(':').pop() },
        },
      };
      const run = machine.run(input as never, runOptions);
      abortRun = run.abort;
      if (stopped) run.abort();
      // Drain the event log: unread, aws-local-stepfunctions keeps every event in memory.
      const drained = (async () => {
        for await (const event of run.eventLogs) this.options.onEvent?.(event, identity);
      })().catch(() => {});
      let outcome: ExecutionOutcome;
      try {
        outcome = { status: 'SUCCEEDED', output: await run.result };
      } catch (error) {
        outcome = failureOf(error, stopped);
      }
      // Steps still in flight (an aborted run, a failed Map's other items) finish before we report.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 100))]);
      return outcome;
    };

    return { identity, outcome: execute(), abort };
  }

  private handler(name: BillingFunctionName): Promise<TaskHandler> {
    let loading = this.handlers.get(name);
    if (!loading) {
      const load = this.options.loadHandler ?? defaultLoader;
      const wrap = this.options.wrapHandler;
      loading = load(name).then((handler) => (wrap ? wrap(name, handler) : handler));
      this.handlers.set(name, loading);
      // A function that failed to load is retried on its next call, as a new Lambda container would.
      loading.catch(() => this.handlers.delete(name));
    }
    return loading;
  }

  /**
   * Calls a function as Lambda would: JSON in, JSON out, errors named for Retry/Catch with Lambda's cause,
   * and a context whose remaining time runs out with the Task's timeout. (A handler the Task timed out is
   * not killed here as Lambda kills it; it sees its time is up and the run's claim revoked, and stops.)
   */
  private async invoke(
    binding: TaskBinding,
    taskInput: unknown,
    abort: (e?: string, c?: string) => void,
    timeoutSeconds: number,
  ) {
    // The Task's timer starts with the call: so does the invocation's remaining time.
    const deadline = Date.now() + timeoutSeconds * 1000;
    const { functionName, integration } = binding;
    const payload = integration === 'invoke' ? (taskInput as { Payload?: unknown }).Payload : taskInput;
    let result: unknown;
    try {
      const handler = await this.handler(functionName);
      const event = JSON.parse(JSON.stringify(payload ?? null)) as never;
      result = await handler(event, localLambdaContext(functionName, { timeoutMs: deadline - Date.now() }));
    } catch (error) {
      if (error instanceof SimulatedCrash) abort(error.name, error.message);
      throw lambdaError(error);
    }
    const output = JSON.parse(JSON.stringify(result ?? null)) as unknown;
    return integration === 'invoke'
      ? { ExecutedVersion: '$LATEST', Payload: output, StatusCode: 200 }
      : output;
  }
}

function overridesFor(
  option: 'retryIntervalOverrides' | 'waitTimeOverrides',
  value: number | Record<string, number | number[]> | undefined,
  states: string[],
) {
  if (value === undefined) return {};
  return { [option]: typeof value === 'number' ? Object.fromEntries(states.map((s) => [s, value])) : value };
}

function lambdaError(error: unknown): LambdaError {
  const failure = error instanceof Error ? error : new Error(String(error));
  const errorType = failure.name || 'Error';
  const trace = (failure.stack ?? '').split('\n').slice(0, 12);
  return new LambdaError(errorType, JSON.stringify({ errorType, errorMessage: failure.message, trace }));
}

function failureOf(
  error: unknown,
  stopped: { error?: string; cause?: string } | undefined,
): ExecutionOutcome {
  if (error instanceof ExecutionAbortedError || stopped) return { status: 'ABORTED', ...stopped };
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'FAILED', error: 'States.Timeout', cause: 'The execution timed out' };
  }
  const cause = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
  return {
    status: 'FAILED',
    error: cause?.name ?? 'States.Runtime',
    cause: cause?.message ?? String(error),
  };
}

/** What aws-local-stepfunctions gives a Task without a timeout of its own. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

/** Each Task state's timeout in seconds (nested Map processors included), as the runner applies it. */
function taskTimeouts(asl: StateMachineDefinition): Map<string, number> {
  const timeouts = new Map<string, number>();
  for (const [name, state] of allStates(asl.States)) {
    const seconds = (state as { TimeoutSeconds?: number }).TimeoutSeconds;
    if (state.Type === 'Task' && typeof seconds === 'number') timeouts.set(name, seconds);
  }
  return timeouts;
}
