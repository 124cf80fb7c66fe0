import { type DdbCall, isNonTransactionalWrite } from './ddb-meter.js';
import type { PhaseRecord } from './intake.js';
import { type LatencySummary, mean, percentile, round, summarize } from './stats.js';

/** The authorizer's only request: GetItem of `APIKEY#<hash>`. */
const isAuthorizerCall = (call: DdbCall) => call.entity === 'APIKEY';
const duration = (x: { start: number; end: number }) => x.end - x.start;

export interface PathStats extends LatencySummary {
  orders: number;
  accepted: number;
  failures: number;
  /** Status (0: no HTTP answer / not accepted by the repository) → count, for failures only. */
  failureStatuses: Record<string, number>;
  failureSamples: string[];
  wallMs: number;
  throughputPerSec: number;
  /** CPU per order, ms: this process (client, adapter, handlers, SDK) and DynamoDB Local's JVM. */
  cpuPerOrderMs: { benchProcess: number; benchProcessKernel: number; dynamodbLocal?: number };
  /** Cores kept busy on average during the phase; `otherProcesses`: work of anyone else on the machine. */
  coresBusy: { benchProcess: number; dynamodbLocal?: number; otherProcesses?: number };
}

export interface DdbStats {
  /** DynamoDB requests per accepted order sent by the order handler (authorizer excluded). */
  requestsPerOrder: number;
  /** The authorizer's GetItem per accepted order (0 when API Gateway's cache is emulated). */
  authorizerRequestsPerOrder: number;
  transactWriteItemsPerOrder: number;
  nonTransactionalWritesPerOrder: number;
  /** Request count by `command entity` (e.g. `GetItemCommand APIKEY`). */
  byCommand: Record<string, number>;
  /** Time waiting on DynamoDB per request, p50 (ms). */
  requestP50Ms: number;
  requestP99Ms: number;
  /** Sum of DynamoDB waits per accepted order, authorizer included (ms). */
  waitPerOrderMeanMs: number;
  failedRequests: number;
}

export interface AdapterStats extends PathStats {
  ddb: DdbStats;
  /**
   * Mean end-to-end latency minus the mean DynamoDB wait per order: the mean own time, exact as a mean at
   * any concurrency (it includes queueing for the event loop when workers > 1).
   */
  ownTimeMeanMs: number;
  /** Per order, from the adapter's invocation records: p50 of each part of the end-to-end latency. */
  partsP50Ms: { authorizerInvocation: number; handlerInvocation: number; outsideHandlers: number };
  /** Only when orders never overlap (concurrency 1): per-order attribution of every DynamoDB request. */
  perOrder?: PerOrderOwnTime;
}

export interface PerOrderOwnTime {
  /** End to end minus every DynamoDB wait of the order (authorizer's included), p50 and p99. */
  ownTimeP50Ms: number;
  ownTimeP99Ms: number;
  /** p50 of: DynamoDB waits per order; own time inside the order handler; inside the authorizer; outside both. */
  ddbWaitP50Ms: number;
  /** p50 of the authorizer's GetItem wait and of the handler's DynamoDB waits per order. */
  authorizerDdbWaitP50Ms: number;
  handlerDdbWaitP50Ms: number;
  /** The order handler's invocation minus the whole send() calls it awaited (the SDK's client work included). */
  handlerOwnP50Ms: number;
  /** The same minus only the HTTP waits: the SDK's marshalling, serialising and signing counted as own time. */
  handlerOwnWithSdkP50Ms: number;
  authorizerOwnP50Ms: number;
  adapterAndClientP50Ms: number;
}

export function pathStats(record: PhaseRecord): PathStats {
  const accepted = record.samples.filter((s) => s.ok);
  const failed = record.samples.filter((s) => !s.ok);
  const failureStatuses: Record<string, number> = {};
  for (const sample of failed) failureStatuses[sample.status] = (failureStatuses[sample.status] ?? 0) + 1;
  return {
    orders: record.samples.length,
    accepted: accepted.length,
    failures: failed.length,
    failureStatuses,
    failureSamples: [...new Set(failed.map((s) => `${s.status} ${s.error ?? ''}`.trim()))].slice(0, 3),
    wallMs: round(record.wallMs, 1),
    throughputPerSec: round((record.samples.length / record.wallMs) * 1000, 1),
    cpuPerOrderMs: {
      benchProcess: round(record.cpu.nodeMs / Math.max(1, record.samples.length), 3),
      benchProcessKernel: round(record.cpu.nodeSystemMs / Math.max(1, record.samples.length), 3),
      ...(record.cpu.javaMs === undefined
        ? {}
        : { dynamodbLocal: round(record.cpu.javaMs / Math.max(1, record.samples.length), 3) }),
    },
    coresBusy: {
      benchProcess: round(record.cpu.nodeMs / record.wallMs),
      ...(record.cpu.javaMs === undefined ? {} : { dynamodbLocal: round(record.cpu.javaMs / record.wallMs) }),
      ...(record.cpu.othersMs === undefined
        ? {}
        : { otherProcesses: round(record.cpu.othersMs / record.wallMs) }),
    },
    ...summarize(record.samples.map(duration)),
  };
}

export function ddbStats(calls: readonly DdbCall[], acceptedOrders: number): DdbStats {
  const perOrder = (n: number) => round(n / Math.max(1, acceptedOrders), 3);
  const byCommand: Record<string, number> = {};
  for (const call of calls) {
    const key = `${call.command} ${call.entity}`;
    byCommand[key] = (byCommand[key] ?? 0) + 1;
  }
  const waits = calls.map(duration);
  return {
    requestsPerOrder: perOrder(calls.filter((c) => !isAuthorizerCall(c)).length),
    authorizerRequestsPerOrder: perOrder(calls.filter(isAuthorizerCall).length),
    transactWriteItemsPerOrder: perOrder(
      calls.filter((c) => c.command === 'TransactWriteItemsCommand').length,
    ),
    nonTransactionalWritesPerOrder: perOrder(calls.filter(isNonTransactionalWrite).length),
    byCommand,
    requestP50Ms: round(percentile(waits, 50)),
    requestP99Ms: round(percentile(waits, 99)),
    waitPerOrderMeanMs: round(waits.reduce((a, b) => a + b, 0) / Math.max(1, acceptedOrders), 3),
    failedRequests: calls.filter((c) => !c.ok).length,
  };
}

/** Merges records of the same kind (the alternating slices of one path). */
export function merge(records: readonly PhaseRecord[]): PhaseRecord {
  return {
    samples: records.flatMap((r) => r.samples),
    wallMs: records.reduce((sum, r) => sum + r.wallMs, 0),
    cpu: {
      nodeMs: records.reduce((sum, r) => sum + r.cpu.nodeMs, 0),
      nodeSystemMs: records.reduce((sum, r) => sum + r.cpu.nodeSystemMs, 0),
      ...(records.every((r) => r.cpu.javaMs !== undefined)
        ? { javaMs: records.reduce((sum, r) => sum + (r.cpu.javaMs ?? 0), 0) }
        : {}),
      ...(records.every((r) => r.cpu.othersMs !== undefined)
        ? { othersMs: records.reduce((sum, r) => sum + (r.cpu.othersMs ?? 0), 0) }
        : {}),
    },
    ddb: records.flatMap((r) => r.ddb),
    sends: records.flatMap((r) => r.sends),
    invocations: records.flatMap((r) => r.invocations),
  };
}

export function adapterStats(record: PhaseRecord, concurrency: number): AdapterStats {
  const path = pathStats(record);
  const ddb = ddbStats(record.ddb, path.accepted);
  const e2e = record.samples.map(duration);
  const totalWait = record.ddb.reduce((sum, call) => sum + duration(call), 0);

  const byRequest = new Map<string, { authorizer?: number; handler?: number }>();
  for (const invocation of record.invocations) {
    const entry = byRequest.get(invocation.requestId) ?? {};
    if (invocation.fn === 'authorizer') entry.authorizer = duration(invocation);
    else entry.handler = duration(invocation);
    byRequest.set(invocation.requestId, entry);
  }
  const parts = record.samples.flatMap((sample) => {
    const entry = sample.requestId ? byRequest.get(sample.requestId) : undefined;
    if (!entry?.handler) return [];
    const authorizer = entry.authorizer ?? 0;
    return [{ authorizer, handler: entry.handler, outside: duration(sample) - authorizer - entry.handler }];
  });
  return {
    ...path,
    ddb,
    ownTimeMeanMs: round(mean(e2e) - totalWait / Math.max(1, record.samples.length), 3),
    partsP50Ms: {
      authorizerInvocation: round(
        percentile(
          parts.map((p) => p.authorizer),
          50,
        ),
      ),
      handlerInvocation: round(
        percentile(
          parts.map((p) => p.handler),
          50,
        ),
      ),
      outsideHandlers: round(
        percentile(
          parts.map((p) => p.outside),
          50,
        ),
      ),
    },
    ...(concurrency === 1 ? { perOrder: perOrderOwnTime(record) } : {}),
  };
}

/**
 * With one order in flight at a time, every DynamoDB request inside an order's window is that order's,
 * and inside the authorizer's or the handler's invocation window is that function's.
 */
function perOrderOwnTime(record: PhaseRecord): PerOrderOwnTime {
  const samples = [...record.samples].sort((a, b) => a.start - b.start);
  const calls = [...record.ddb].sort((a, b) => a.start - b.start);
  const invocations = new Map<string, { fn: string; start: number; end: number }[]>();
  for (const invocation of record.invocations) {
    const list = invocations.get(invocation.requestId) ?? [];
    list.push(invocation);
    invocations.set(invocation.requestId, list);
  }
  const own: number[] = [];
  const waits: number[] = [];
  const handlerOwn: number[] = [];
  const handlerOwnHttp: number[] = [];
  const authorizerOwn: number[] = [];
  const outside: number[] = [];
  const authorizerWaits: number[] = [];
  const handlerWaits: number[] = [];
  let c = 0;
  for (const sample of samples) {
    while (c < calls.length && (calls[c] as DdbCall).start < sample.start) c++;
    const mine: DdbCall[] = [];
    while (c < calls.length && (calls[c] as DdbCall).end <= sample.end) mine.push(calls[c++] as DdbCall);
    const wait = mine.reduce((sum, call) => sum + duration(call), 0);
    own.push(duration(sample) - wait);
    waits.push(wait);
    const windows = sample.requestId ? (invocations.get(sample.requestId) ?? []) : [];
    let inside = 0;
    for (const window of windows) {
      const within = (call: DdbCall) => call.start >= window.start && call.end <= window.end;
      const waitInside = mine.filter(within).reduce((sum, call) => sum + duration(call), 0);
      // What the function awaited: whole send() calls (the SDK's client work included), as the direct path pays.
      const sentInside = record.sends.filter(within).reduce((sum, call) => sum + duration(call), 0);
      inside += duration(window);
      (window.fn === 'authorizer' ? authorizerOwn : handlerOwn).push(duration(window) - sentInside);
      if (window.fn !== 'authorizer') handlerOwnHttp.push(duration(window) - waitInside);
      (window.fn === 'authorizer' ? authorizerWaits : handlerWaits).push(waitInside);
    }
    outside.push(duration(sample) - inside);
  }
  return {
    ownTimeP50Ms: round(percentile(own, 50), 3),
    ownTimeP99Ms: round(percentile(own, 99), 3),
    ddbWaitP50Ms: round(percentile(waits, 50), 3),
    authorizerDdbWaitP50Ms: round(percentile(authorizerWaits, 50), 3),
    handlerDdbWaitP50Ms: round(percentile(handlerWaits, 50), 3),
    handlerOwnP50Ms: round(percentile(handlerOwn, 50), 3),
    handlerOwnWithSdkP50Ms: round(percentile(handlerOwnHttp, 50), 3),
    authorizerOwnP50Ms: round(percentile(authorizerOwn, 50), 3),
    adapterAndClientP50Ms: round(percentile(outside, 50), 3),
  };
}
