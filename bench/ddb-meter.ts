import { performance } from 'node:perf_hooks';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/lib-dynamodb';
import type {
  AbsoluteLocation,
  FinalizeRequestHandlerOptions,
  FinalizeRequestMiddleware,
  InitializeMiddleware,
} from '@smithy/types';
import { getDocumentClient } from '../shared/adapters/aws-clients.js';

/** One HTTP request to DynamoDB, as seen by the handlers' own document client. */
export interface DdbCall {
  /** e.g. `GetItemCommand`, `TransactWriteItemsCommand`. */
  command: string;
  /** Entity of the first key the request names (`APIKEY`, `ACCOUNT`, `IDEMPOTENCY`, …), when it names one. */
  entity: string;
  start: number;
  end: number;
  ok: boolean;
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'ExecuteStatementCommand',
  'BatchExecuteStatementCommand',
  'ExecuteTransactionCommand',
]);
export const isNonTransactionalWrite = (call: DdbCall) => WRITE_COMMANDS.has(call.command);

type Json = Record<string, unknown>;
/** The partition key of a marshalled item/key (`{ PK: { S: 'ACCOUNT#acc_…' } }`) → `ACCOUNT`. */
function entityOf(input: Json): string {
  const first = (input.TransactItems as Json[] | undefined)?.[0];
  const keyed =
    (input.Key as Json | undefined) ??
    (input.Item as Json | undefined) ??
    (first ? (Object.values(first)[0] as Json | undefined)?.Key : undefined) ??
    (first ? (Object.values(first)[0] as Json | undefined)?.Item : undefined);
  const pk = (keyed as Record<string, { S?: string }> | undefined)?.PK?.S;
  if (pk) return pk.split('#', 1)[0] ?? '?';
  return typeof input.IndexName === 'string' ? `index:${input.IndexName}` : '?';
}

/**
 * Counts and times every request the handlers send to DynamoDB, through a middleware on the one document
 * client they share (`getDocumentClient()`). It sits at the end of the `finalizeRequest` step, after retries
 * and signing, so each HTTP attempt is one call and its time is the wait for DynamoDB's answer (network,
 * DynamoDB, reading the body and the SDK's protocol deserialisation). Recording is off outside phases.
 */
export class DdbMeter {
  private calls: DdbCall[] = [];
  /** Whole `send()` calls: the SDK's client work (marshalling, serialising, signing) and the HTTP wait. */
  private sends: DdbCall[] = [];
  private recording = false;

  install(): void {
    const middleware: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const command = context.commandName ?? '?';
        const entity = entityOf(args.input as unknown as Json);
        const start = performance.now();
        try {
          const result = await next(args);
          this.calls.push({ command, entity, start, end: performance.now(), ok: true });
          return result;
        } catch (error) {
          this.calls.push({ command, entity, start, end: performance.now(), ok: false });
          throw error;
        }
      };
    const options: FinalizeRequestHandlerOptions & AbsoluteLocation = {
      step: 'finalizeRequest',
      priority: 'low',
      name: 'benchDdbMeter',
    };
    getDocumentClient().middlewareStack.add(middleware, options);
    // The outermost middleware of the document client: a handler awaiting DynamoDB waits this long, its
    // item marshalled, the request serialised and signed, retried if need be, and the answer parsed. The
    // direct path's latency is exactly this, so a handler's own time is its invocation minus it.
    const send: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const command = context.commandName ?? '?';
        const start = performance.now();
        try {
          const result = await next(args);
          this.sends.push({ command, entity: '', start, end: performance.now(), ok: true });
          return result;
        } catch (error) {
          this.sends.push({ command, entity: '', start, end: performance.now(), ok: false });
          throw error;
        }
      };
    getDocumentClient().middlewareStack.add(send, {
      step: 'initialize',
      priority: 'high',
      name: 'benchDdbSend',
    });
  }

  /** Starts a fresh recording. */
  start(): void {
    this.calls = [];
    this.sends = [];
    this.recording = true;
  }

  /** Stops recording and hands over what was recorded. */
  stop(): DdbCall[] {
    this.recording = false;
    const calls = this.calls;
    this.calls = [];
    return calls;
  }

  /** The whole `send()` calls recorded since `start()` (call before `stop()`). */
  sent(): DdbCall[] {
    return [...this.sends];
  }
}
