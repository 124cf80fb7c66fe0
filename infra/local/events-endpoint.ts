/**
 * A small EventBridge endpoint for the local stack: `PutEvents` in the AWS JSON 1.1 protocol (`POST /`
 * with `X-Amz-Target: AWSEvents.PutEvents`), answering as the real API does, so the accounting publisher
 * keeps using `@aws-sdk/client-eventbridge` with the standard `AWS_ENDPOINT_URL_EVENTBRIDGE` variable.
 * It is the local bus's inspectable log: every event is appended, one JSON object per line, to `logFile`
 * when given, and `GET /events` lists them (newest last). Not authenticated; listens on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

/** One event as the bus received it. */
export interface LoggedEvent {
  id: string;
  receivedAt: string;
  eventBusName: string;
  source: string;
  detailType: string;
  time: string;
  detail: unknown;
}

export interface EventsEndpoint {
  /** e.g. `http://127.0.0.1:8084`, the value for `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  endpoint: string;
  /** Events received since start, oldest first. */
  events(): readonly LoggedEvent[];
  stop(): Promise<void>;
}

interface PutEventsEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  /** Seconds since the epoch (the SDK's JSON 1.1 timestamp). */
  Time?: number;
}

/** Events kept in memory for `GET /events` (the log file keeps them all). */
const MEMORY_LIMIT = 10_000;

export async function startEventsEndpoint(options: {
  port: number;
  /** NDJSON file every event is appended to (`.local/data/events.ndjson` for `npm start`). */
  logFile?: string;
  host?: string;
  /** Told of every event taken, as a rule's target would be (the webhook fan-out); never awaited. */
  onEvent?: (event: LoggedEvent) => void;
}): Promise<EventsEndpoint> {
  const received: LoggedEvent[] = [];
  if (options.logFile) await mkdir(dirname(options.logFile), { recursive: true });

  const putEvents = async (body: { Entries?: PutEventsEntry[] }) => {
    const entries = body.Entries ?? [];
    if (entries.length === 0 || entries.length > 10) {
      throw Object.assign(new Error('Entries must hold 1 to 10 events'), { type: 'ValidationException' });
    }
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const event: LoggedEvent = {
        id: randomUUID(),
        receivedAt: new Date().toISOString(),
        eventBusName: entry.EventBusName ?? 'default',
        source: entry.Source,
        detailType: entry.DetailType,
        time: new Date((entry.Time ?? Date.now() / 1000) * 1000).toISOString(),
        detail,
      };
      received.push(event);
      if (received.length > MEMORY_LIMIT) received.shift();
      options.onEvent?.(event);
      return { EventId: event.id, event };
    });
    const logged = results.flatMap((result) => ('event' in result ? [result.event] : []));
    if (options.logFile && logged.length > 0) {
      await appendFile(options.logFile, logged.map((event) => `${JSON.stringify(event)}\n`).join(''));
    }
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results.map((result) => ('event' in result ? { EventId: result.EventId } : result)),
    };
  };

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    try {
      if (request.method === 'GET' && request.url?.split('?')[0] === '/events') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ events: received }, null, 2));
        return;
      }
      const target = request.headers['x-amz-target'];
      if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
        answer(response, 400, {
          __type: 'UnknownOperationException',
          message: `The local bus only answers PutEvents (got ${String(target ?? request.method)})`,
        });
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      answer(response, 200, await putEvents(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
    } catch (error) {
      const { type = 'InternalException', message } = error as Error & { type?: string };
      answer(response, type === 'InternalException' ? 500 : 400, { __type: type, message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
