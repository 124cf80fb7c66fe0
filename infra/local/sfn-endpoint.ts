/**
 * A small Step Functions endpoint for the local stack: the AWS JSON 1.0 protocol (`POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>`) for StartExecution, DescribeExecution, ListExecutions and
 * StopExecution, answering as the real API does, so application code keeps using `@aws-sdk/client-sfn`
 * with the standard `AWS_ENDPOINT_URL_SFN` variable. Executions run in-process with the given runner
 * (infra/local/state-machine.ts). Requests are not authenticated; it listens on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executionArnOf, LOCAL_STATE_MACHINE_ARN } from './environment.js';
import type {
  ExecutionIdentity,
  ExecutionOutcome,
  ExecutionRunner,
  RunningExecution,
} from './state-machine.js';

export interface SfnEndpointOptions {
  /** 0 picks a free port. */
  port: number;
  runner: ExecutionRunner;
  /** The one state machine this endpoint knows. @default LOCAL_STATE_MACHINE_ARN */
  stateMachineArn?: string;
  host?: string;
  /** One line per execution started and ended. */
  log?: (line: string) => void;
}

export interface SfnEndpoint {
  /** e.g. `http://127.0.0.1:8083`, the value for `AWS_ENDPOINT_URL_SFN`. */
  endpoint: string;
  port: number;
  /** Resolves once no execution is running. */
  idle(): Promise<void>;
  /** Stops running executions (ABORTED), waits for them to settle, and closes the server. */
  stop(): Promise<void>;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

interface Execution {
  identity: ExecutionIdentity;
  input: string;
  status: Status;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  running: RunningExecution;
  settled: Promise<void>;
}

/** A Step Functions error: `__type` is what the SDK turns into the exception's name. */
class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const MAX_INPUT_BYTES = 256 * 1024;
/** Step Functions' rule for execution names: 1-80 characters, none of these. */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]|\p{Cc}/u;
const ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:(stateMachine|execution):/;

const epochSeconds = (date: Date) => date.getTime() / 1000;

/** Starts the endpoint; `stop()` it when done. */
export async function startSfnEndpoint(options: SfnEndpointOptions): Promise<SfnEndpoint> {
  const stateMachineArn = options.stateMachineArn ?? LOCAL_STATE_MACHINE_ARN;
  const executions = new Map<string, Execution>();
  const log = options.log ?? (() => {});

  const requireStateMachine = (arn: unknown) => {
    if (typeof arn !== 'string' || arn === '') {
      throw new SfnError(
        'ValidationException',
        "1 validation error detected: Value null at 'stateMachineArn'",
      );
    }
    if (!ARN.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    if (arn !== stateMachineArn)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  };
  const requireExecution = (arn: unknown): Execution => {
    if (typeof arn !== 'string' || arn === '') {
      throw new SfnError('ValidationException', "1 validation error detected: Value null at 'executionArn'");
    }
    if (!ARN.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = executions.get(arn);
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  };

  const startExecution = (body: Record<string, unknown>) => {
    requireStateMachine(body.stateMachineArn);
    const name = body.name ?? randomUUID();
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || INVALID_NAME.test(name)) {
      throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
    }
    const input = body.input ?? '{}';
    if (typeof input !== 'string') throw new SfnError('InvalidExecutionInput', 'Input must be a JSON string');
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
      throw new SfnError('InvalidExecutionInput', 'Input exceeds the 256 KB limit');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new SfnError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${input.slice(0, 100)}'`,
      );
    }
    const executionArn = executionArnOf(stateMachineArn, name);
    const known = executions.get(executionArn);
    if (known) {
      // Standard workflows: the same name and input while the execution runs is the same request.
      if (known.status === 'RUNNING' && known.input === input) {
        return { executionArn, startDate: epochSeconds(known.identity.startDate) };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const identity: ExecutionIdentity = { executionArn, name, stateMachineArn, startDate: new Date() };
    const running = options.runner.start(parsed, identity);
    const execution: Execution = { identity, input, status: 'RUNNING', running, settled: Promise.resolve() };
    execution.settled = running.outcome
      .catch(
        (error: unknown): ExecutionOutcome => ({
          status: 'FAILED',
          error: 'States.Runtime',
          cause: (error as Error)?.message ?? String(error),
        }),
      )
      .then((outcome) => {
        execution.stopDate = new Date();
        execution.status = outcome.status;
        if (outcome.status === 'SUCCEEDED') execution.output = JSON.stringify(outcome.output ?? null);
        else {
          if (outcome.error !== undefined) execution.error = outcome.error;
          if (outcome.cause !== undefined) execution.cause = outcome.cause;
        }
        const seconds = ((execution.stopDate.getTime() - identity.startDate.getTime()) / 1000).toFixed(1);
        log(`${name} ${outcome.status} in ${seconds} s${execution.error ? `: ${execution.error}` : ''}`);
      });
    executions.set(executionArn, execution);
    log(`${name} started`);
    return { executionArn, startDate: epochSeconds(identity.startDate) };
  };

  const describe = (execution: Execution) => ({
    executionArn: execution.identity.executionArn,
    stateMachineArn,
    name: execution.identity.name,
    status: execution.status,
    startDate: epochSeconds(execution.identity.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined
      ? { output: execution.output, outputDetails: { included: true } }
      : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    redriveCount: 0,
  });

  const listExecutions = (body: Record<string, unknown>) => {
    requireStateMachine(body.stateMachineArn);
    const maxResults = body.maxResults === undefined || body.maxResults === 0 ? 100 : Number(body.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
      throw new SfnError('ValidationException', 'maxResults must be between 0 and 1000');
    }
    const offset =
      typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new SfnError('InvalidToken', 'Invalid Token');
    // Newest first; executions started in the same millisecond keep their start order, reversed.
    const matching = [...executions.values()]
      .reverse()
      .filter((execution) => body.statusFilter === undefined || execution.status === body.statusFilter)
      .sort((a, b) => b.identity.startDate.getTime() - a.identity.startDate.getTime());
    const page = matching.slice(offset, offset + maxResults);
    return {
      executions: page.map((execution) => {
        const { executionArn, name, status, startDate, stopDate } = describe(execution);
        return { executionArn, stateMachineArn, name, status, startDate, ...(stopDate ? { stopDate } : {}) };
      }),
      ...(offset + maxResults < matching.length
        ? { nextToken: Buffer.from(String(offset + maxResults)).toString('base64url') }
        : {}),
    };
  };

  const stopExecution = (body: Record<string, unknown>) => {
    const execution = requireExecution(body.executionArn);
    if (execution.status === 'RUNNING') {
      execution.running.abort(
        typeof body.error === 'string' ? body.error : undefined,
        typeof body.cause === 'string' ? body.cause : undefined,
      );
    }
    return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: startExecution,
    DescribeExecution: (body) => describe(requireExecution(body.executionArn)),
    ListExecutions: listExecutions,
    StopExecution: stopExecution,
  };

  const server = createServer((req, res) => {
    handle(req, operations).then(
      (result) => reply(res, 200, result),
      (error: unknown) => {
        if (error instanceof SfnError)
          return reply(res, error.status, { __type: error.type, message: error.message });
        console.error('[sfn] request failed:', error);
        reply(res, 500, { __type: 'InternalFailure', message: 'The local endpoint failed; see its log' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const idle = async () => {
    for (;;) {
      const running = [...executions.values()].filter((execution) => execution.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((execution) => execution.settled));
    }
  };
  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    idle,
    stop: async () => {
      server.close();
      server.closeAllConnections();
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING')
          execution.running.abort('States.Runtime', 'The local endpoint stopped');
      }
      await idle();
    },
  };
}

async function handle(
  req: IncomingMessage,
  operations: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<unknown> {
  const target = req.headers['x-amz-target'];
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith('AWSStepFunctions.')) {
    throw new SfnError(
      'UnknownOperationException',
      'Send POST / with X-Amz-Target: AWSStepFunctions.<Operation>',
    );
  }
  const operation = operations[target.slice('AWSStepFunctions.'.length)];
  if (!operation) {
    throw new SfnError('UnknownOperationException', `The local endpoint does not support ${target}`);
  }
  let body: unknown;
  try {
    body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    throw new SfnError('SerializationException', 'The request body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new SfnError('SerializationException', 'The request body must be a JSON object');
  }
  return operation(body as Record<string, unknown>);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(status >= 400 ? { 'x-amzn-errortype': (body as { __type: string }).__type } : {}),
  });
  res.end(text);
}
