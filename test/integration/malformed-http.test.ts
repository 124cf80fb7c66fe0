import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LambdaHandler,
  MAX_PAYLOAD_BYTES,
  MAX_REQUEST_HEAD_BYTES,
} from '../../infra/local/http-adapter.js';
import { startTestApi, type TestApi } from '../support/api.js';

// What a fetch client never sends: raw bytes over a socket, as a broken or hostile client would, to the
// local API Gateway adapter (stub handlers: what is proved here happens before any handler runs).

interface RawAnswer {
  /** Every byte received until the server closed the connection. */
  text: string;
  /** A socket error seen while writing or reading (a reset), if any. */
  error?: string;
  /** Whether the server closed the connection. */
  closed: boolean;
}

/**
 * Sends `head` then `bodyBytes` bytes of body (chunked-framed if asked), writing everything before reading
 * anything, as many HTTP clients do, and collects the answer until the server closes or `waitMs` passes.
 */
function exchange(
  port: number,
  head: string,
  options: { bodyBytes?: number; chunked?: boolean; waitMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => done(false), options.waitMs ?? 10_000);
    socket.on('data', (data) => {
      text += data.toString('latin1');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on('close', () => done(true));
    socket.write(head);
    const data = Buffer.alloc(64 * 1024, 0x20);
    const piece = options.chunked
      ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
      : data;
    let sent = 0;
    const pump = () => {
      while (sent < (options.bodyBytes ?? 0)) {
        if (socket.destroyed) return;
        sent += data.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (options.chunked) socket.write('0\r\n\r\n');
    };
    pump();
  });
}

interface ParsedAnswer {
  statuses: number[];
  headers: Record<string, string>;
  body: unknown;
}

/** The status line(s) (a `100 Continue` first, when sent), the final answer's headers and JSON body. */
function parse(raw: string): ParsedAnswer {
  const statusLines = [...raw.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)];
  const statuses = statusLines.map((m) => Number(m[1]));
  const final = raw.slice(statusLines.at(-1)?.index ?? 0);
  const [head = '', body = ''] = final.split('\r\n\r\n');
  const headers = Object.fromEntries(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
  );
  return { statuses, headers, body: body ? JSON.parse(body) : undefined };
}

/** The answer is one problem+json with this status and code, its first error naming `field`. */
function expectProblem(raw: RawAnswer, status: number, code: string, field?: string) {
  const answer = parse(raw.text);
  expect(answer.statuses.at(-1)).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ status, code });
  if (field) expect((answer.body as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(field);
  return answer;
}

let api: TestApi;
let port: number;
beforeAll(async () => {
  const stub = (async () => ({ statusCode: 200, body: '{"ok":true}' })) as LambdaHandler;
  const authorizer = (async () => ({
    isAuthorized: true,
    context: { role: 'operator', keyId: 'key_test' },
  })) as LambdaHandler;
  api = await startTestApi({
    onError: () => {},
    loadHandler: async (name) => (name === 'authorizer' ? authorizer : stub),
  });
  port = Number(new URL(api.baseUrl).port);
});
afterAll(() => api.close());

const AUTH = 'Authorization: Bearer test-key-0123456789\r\n';
const JSON_TYPE = 'Content-Type: application/json\r\n';
/** Asks the server to close after answering, so the exchange ends with the answer. */
const CLOSE = 'Connection: close\r\n';

describe('unknown methods', () => {
  it.each(['FOO', 'get', 'PROPFIND', 'TRACE'])(
    'answers %s with 501 problem+json naming the method',
    async (method) => {
      const raw = await exchange(port, `${method} /v1/orders HTTP/1.1\r\nHost: local\r\n${AUTH}${CLOSE}\r\n`);
      const answer = expectProblem(raw, 501, 'method_not_implemented', '(method)');
      expect((answer.body as { detail: string }).detail).toBe(`${method} is not a method this API serves.`);
    },
  );

  it('answers CONNECT with 501 problem+json instead of dropping the connection', async () => {
    const raw = await exchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expectProblem(raw, 501, 'method_not_implemented', '(method)');
    expect(raw.closed).toBe(true);
  });

  it('keeps 405 with Allow for a known method on a path that does not take it', async () => {
    const raw = await exchange(port, `PUT /v1/orders HTTP/1.1\r\nHost: local\r\n${CLOSE}\r\n`);
    const answer = expectProblem(raw, 405, 'method_not_allowed');
    expect(answer.headers.allow).toBe('POST');
  });
});

describe('requests the parser refuses', () => {
  it('answers bytes that are not HTTP (a TLS handshake on the plain port) with 400 problem+json', async () => {
    const raw = await exchange(port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03');
    expectProblem(raw, 400, 'malformed_request', '(request line)');
    expect(raw.closed).toBe(true);
  });

  it.each([
    [
      'the same Content-Length twice',
      'Content-Length: 2\r\nContent-Length: 2\r\n',
      'Content-Length',
      'must be given once',
    ],
    [
      'two different Content-Lengths',
      'Content-Length: 2\r\nContent-Length: 3\r\n',
      'Content-Length',
      'must be given once',
    ],
    [
      'a Content-Length list',
      'Content-Length: 2, 2\r\n',
      'Content-Length',
      'must be one decimal number of bytes',
    ],
    [
      'Content-Length with Transfer-Encoding',
      'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n',
      'Transfer-Encoding',
      'must be chunked, and not sent with Content-Length',
    ],
  ])('answers %s with 400 problem+json naming the header', async (_case, framing, field, reason) => {
    const raw = await exchange(
      port,
      `POST /v1/orders HTTP/1.1\r\nHost: local\r\n${AUTH}${JSON_TYPE}${framing}\r\n{}`,
    );
    const answer = expectProblem(raw, 400, 'malformed_request', field);
    expect((answer.body as { errors: Array<{ reason: string }> }).errors[0]?.reason).toBe(reason);
    expect(raw.closed).toBe(true);
  });

  it.each([
    ['a 16 KB URL', 16 * 1024],
    ['a URL just over API Gateway’s 10,240-byte limit', MAX_REQUEST_HEAD_BYTES],
  ])('answers %s with 431 problem+json', async (_case, length) => {
    const raw = await exchange(
      port,
      `GET /v1/orders/${'a'.repeat(length)} HTTP/1.1\r\nHost: local\r\n${AUTH}\r\n`,
    );
    expectProblem(raw, 431, 'request_header_fields_too_large', '(request line and headers)');
    expect(raw.closed).toBe(true);
  });

  it('still routes a long URL within the limit', async () => {
    const raw = await exchange(
      port,
      `GET /v1/orders/${'a'.repeat(8 * 1024)} HTTP/1.1\r\nHost: local\r\n${AUTH}${CLOSE}\r\n`,
    );
    expect(parse(raw.text).statuses).toEqual([200]);
  });
});

describe('bodies over API Gateway’s 10 MB', () => {
  const tooLarge = MAX_PAYLOAD_BYTES + 64 * 1024;
  const post = `POST /v1/orders HTTP/1.1\r\nHost: local\r\n${AUTH}${JSON_TYPE}`;

  it('answers 413 problem+json to a client that writes its whole declared body first, then closes cleanly', async () => {
    const raw = await exchange(port, `${post}Content-Length: ${tooLarge}\r\n\r\n`, { bodyBytes: tooLarge });
    expect(raw.error).toBeUndefined();
    expectProblem(raw, 413, 'payload_too_large', '(body)');
    expect(raw.closed).toBe(true);
  });

  it('answers 413 problem+json to a chunked body that grows past the limit, then closes cleanly', async () => {
    const raw = await exchange(port, `${post}Transfer-Encoding: chunked\r\n\r\n`, {
      bodyBytes: tooLarge,
      chunked: true,
    });
    expect(raw.error).toBeUndefined();
    expectProblem(raw, 413, 'payload_too_large', '(body)');
    expect(raw.closed).toBe(true);
  });

  it('answers 413 before the body is sent when the client asks first (Expect: 100-continue)', async () => {
    const raw = await exchange(port, `${post}Content-Length: ${tooLarge}\r\nExpect: 100-continue\r\n\r\n`);
    expectProblem(raw, 413, 'payload_too_large');
    expect(parse(raw.text).statuses).toEqual([413]);
    expect(raw.closed).toBe(true);
  });

  it('lets a body within the limit through after 100 Continue', async () => {
    const head = `${post}Content-Length: 2\r\nExpect: 100-continue\r\n${CLOSE}\r\n`;
    const raw = await new Promise<RawAnswer>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (data) => {
        text += data.toString('latin1');
        if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !socket.writableEnded) socket.end('{}');
      });
      socket.on('close', () => resolve({ text, closed: true }));
      socket.write(head);
    });
    expect(parse(raw.text).statuses).toEqual([100, 200]);
  });
});
