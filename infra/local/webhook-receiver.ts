/**
 * A webhook receiver for the local stack and the tests: any `POST` (on any path) is a delivery, recorded
 * with its `webhook-*` headers and body and answered with the status it was told to answer (204 by
 * default). `GET /received` lists what arrived (oldest first), `DELETE /received` forgets it, and
 * `PUT /behaviour` with `{"status": 503}` makes it fail (`{"status": 204}` heals it, `{"hang": true}`
 * makes it never answer, for timeouts). Listens on 127.0.0.1 only; not authenticated.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface ReceivedWebhook {
  receivedAt: string;
  path: string;
  webhookId: string;
  webhookTimestamp: string;
  webhookSignature: string;
  body: string;
  /** What the receiver answered. */
  answeredStatus: number;
}

export interface WebhookReceiver {
  /** e.g. `http://127.0.0.1:8090`: register `<url>/anything` as an endpoint (with the loopback allowance). */
  url: string;
  received(): readonly ReceivedWebhook[];
  /** Answer `status` from now on (2xx: success; anything else: a failure the dispatcher retries). */
  answerWith(status: number): void;
  /** Never answer (the dispatcher's 10 s timeout ends the attempt). */
  hang(): void;
  clear(): void;
  stop(): Promise<void>;
}

/** Deliveries kept in memory at most. */
const MEMORY_LIMIT = 10_000;

export async function startWebhookReceiver(options: { port?: number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 204;
  let hanging = false;

  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const json = (response: ServerResponse, code: number, value: unknown) => {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value, null, 2));
  };

  const server = createServer(async (request, response) => {
    const path = request.url?.split('?')[0] ?? '/';
    if (path === '/received' && request.method === 'GET') return json(response, 200, { received });
    if (path === '/received' && request.method === 'DELETE') {
      received.length = 0;
      return json(response, 200, { received });
    }
    if (path === '/behaviour' && request.method === 'PUT') {
      const asked = JSON.parse((await readBody(request)) || '{}') as { status?: number; hang?: boolean };
      hanging = asked.hang === true;
      if (asked.status !== undefined) status = asked.status;
      return json(response, 200, { status, hang: hanging });
    }
    if (request.method !== 'POST') return json(response, 405, { error: 'POST a webhook, or GET /received' });
    const body = await readBody(request);
    received.push({
      receivedAt: new Date().toISOString(),
      path,
      webhookId: String(request.headers['webhook-id'] ?? ''),
      webhookTimestamp: String(request.headers['webhook-timestamp'] ?? ''),
      webhookSignature: String(request.headers['webhook-signature'] ?? ''),
      body,
      answeredStatus: hanging ? 0 : status,
    });
    if (received.length > MEMORY_LIMIT) received.shift();
    if (hanging) return;
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(status >= 200 && status < 300 ? '' : `receiver told to fail with ${status}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    answerWith(next) {
      status = next;
      hanging = false;
    },
    hang() {
      hanging = true;
    },
    clear() {
      received.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
