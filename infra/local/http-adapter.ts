import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { problemResponse } from '../../functions/commons/problem.js';
import { PORTAL_PATH } from '../../shared/contracts/http/portal.js';
import {
  authorizerOf,
  ROUTES,
  type RouteDefinition,
  routeKey,
} from '../../shared/contracts/http/routes/index.js';
import { AUTHORIZER_CACHE_SECONDS } from '../../shared/core/domain/api-keys.js';
import { localLambdaContext } from './lambda-context.js';
import { servePortal } from './portal-files.js';

/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): matches the route table, runs the Lambda
 * authorizer (simple responses) on protected routes, invokes the route's handler in-process and applies
 * API Gateway's response rules. Like API Gateway, it caches the authorizer's answer per identity source
 * (the Authorization header) for `authorizerCacheTtlSeconds` (by default the stack's own lifetime,
 * `AUTHORIZER_CACHE_SECONDS.default`), so a revoked key keeps working until its cached answer expires, here
 * as on AWS. No 30 s integration timeout.
 *
 * What API Gateway refuses itself, with bare answers an HTTP API cannot shape, the adapter refuses too, at
 * the same limits where Node lets it, with problem+json: a method no HTTP API route can have (501), a
 * request line and headers over 10,240 bytes (431), a body over 10 MB (413), a request Node's parser
 * cannot read (400, naming what is wrong).
 *
 * It also serves the buyer portal's static files under `/portal/` (see portal-files.ts), as CloudFront
 * does on AWS in front of the same API.
 */
/** API Gateway's payload quota for HTTP APIs (10 MB, fixed). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/**
 * API Gateway's quota on the request line and headers of an HTTP API request (10,240 bytes, fixed). Node
 * counts header names and line ends too, so the local limit is a little stricter.
 */
export const MAX_REQUEST_HEAD_BYTES = 10_240;
/** The methods an HTTP API route can name (besides `ANY`, which this API does not use). */
export const API_GATEWAY_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
]);
/**
 * How long the rest of an over-sized body is read and discarded after the 413, before the connection is
 * closed: a client that writes its whole body before reading then gets the answer, not a reset.
 */
const DRAIN_AFTER_REFUSAL_MS = 2_000;
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;
type AuthorizerContext = Record<string, string | number | boolean>;
export type ApiEventV2 = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export interface ApiServerOptions {
  /** Loads `functions/<name>/handler.ts` by default; tests may inject handlers. */
  loadHandler?: (name: string) => Promise<LambdaHandler>;
  /** One line per request (`POST /v1/orders → 201 (12 ms)`). */
  log?: (line: string) => void;
  /** Where a handler's failure goes (the client only sees a bare 500); console.error by default. */
  onError?: (error: unknown, request: string) => void;
  /**
   * How long an authorizer answer is reused for the same Authorization header; 0 disables the cache.
   * @default AUTHORIZER_CACHE_SECONDS.default (10, the HTTP API's authorizer cache in the CDK stack)
   */
  authorizerCacheTtlSeconds?: number;
}

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);
const TEXT_TYPES =
  /^(text\/|application\/([\w.-]+\+)?(json|xml)|application\/(javascript|x-www-form-urlencoded))/i;
const compiled = (ROUTES as readonly RouteDefinition[]).map((route) => ({
  route,
  names: [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] as string),
  pattern: new RegExp(
    `^${route.path
      .replace(/[.*?^$()|[\]\\]/g, '\\$&')
      .replace(/\{\w+\+\}/g, '(.+)')
      .replace(/\{\w+\}/g, '([^/]+)')}$`,
  ),
}));

const defaultLoader = async (name: string): Promise<LambdaHandler> => {
  const module: { handler?: unknown } = await import(new URL(`${name}/handler.ts`, FUNCTIONS_DIR).href);
  if (typeof module.handler !== 'function')
    throw new Error(`functions/${name}/handler.ts exports no handler`);
  return module.handler as LambdaHandler;
};

export function createApiServer(options: ApiServerOptions = {}): Server {
  const load = options.loadHandler ?? defaultLoader;
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const callHandler = (name: string, event: object, requestId: string) => {
    if (!handlers.has(name)) handlers.set(name, load(name));
    return (handlers.get(name) as Promise<LambdaHandler>).then((fn) =>
      fn(event as never, localLambdaContext(name, { awsRequestId: requestId })),
    );
  };
  const ttlMs = (options.authorizerCacheTtlSeconds ?? AUTHORIZER_CACHE_SECONDS.default) * 1000;
  const authorizerCache = new Map<string, { answer: unknown; expiresAt: number }>();
  const invoke = async (name: string, event: object, requestId: string) => {
    const identitySource = (event as APIGatewayRequestAuthorizerEventV2).identitySource ?? [];
    // The buyer authorizer has no identity source, hence no cache (as on API Gateway).
    if (name !== 'authorizer' || ttlMs <= 0 || identitySource.length === 0)
      return callHandler(name, event, requestId);
    const identity = identitySource.join(',');
    const cached = authorizerCache.get(identity);
    if (cached && cached.expiresAt > Date.now()) return cached.answer;
    const answer = await callHandler(name, event, requestId);
    authorizerCache.set(identity, { answer, expiresAt: Date.now() + ttlMs });
    return answer;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    res.on('finish', () =>
      options.log?.(`${req.method} ${req.url} → ${res.statusCode} (${Date.now() - started} ms)`),
    );
    handle(req, res, invoke).catch((error: unknown) => {
      (options.onError ?? ((e, r) => console.error(`[api] ${r} failed:`, e)))(
        error,
        `${req.method} ${req.url}`,
      );
      if (!res.headersSent)
        send(res, problem(500, 'internal_error', 'Internal Server Error', 'The handler failed.'));
    });
  };
  const server = createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, onRequest);
  // What Node's HTTP parser refuses never reaches onRequest: answer it as problem+json too, where Node
  // would answer a bare 400 or 431, or reset the connection (CONNECT).
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    const status = answerMalformedRequest(error, socket);
    if (status) options.log?.(`malformed request (${error.code}) → ${status}`);
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.end(rawResponse(methodNotImplemented('CONNECT')));
    options.log?.(`CONNECT ${req.url} → 501`);
  });
  // `Expect: 100-continue`: refuse an over-sized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > MAX_PAYLOAD_BYTES) {
      res.setHeader('connection', 'close');
      send(res, payloadTooLarge());
      options.log?.(`${req.method} ${req.url} → 413 (before the body)`);
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  invoke: (n: string, e: object, id: string) => Promise<unknown>,
) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (!API_GATEWAY_METHODS.has(method)) return send(res, methodNotImplemented(method));
  // The buyer portal's static files, on the API's origin (CloudFront's second origin on AWS).
  if (url.pathname === PORTAL_PATH || url.pathname.startsWith(`${PORTAL_PATH}/`))
    return servePortal(url.pathname, method, res);
  const matches = compiled.flatMap((c) => {
    const m = c.pattern.exec(url.pathname);
    return m ? [{ ...c, values: m.slice(1) }] : [];
  });
  if (matches.length === 0)
    return send(res, problem(404, 'route_not_found', 'Not Found', `No route matches ${url.pathname}.`));
  const hit = matches
    .filter((m) => m.route.method === method)
    .sort((a, b) => a.names.length - b.names.length)[0];
  if (!hit) {
    const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
    return send(
      res,
      problem(405, 'method_not_allowed', 'Method Not Allowed', `Use ${allow} on ${url.pathname}.`),
      { allow },
    );
  }
  const body = await readBody(req);
  if (!body) return refuseOversizedBody(req, res);
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct))
    if (values && name !== 'cookie') headers[name] = values.join(',');
  const cookies = (req.headersDistinct.cookie ?? [])
    .flatMap((c) => c.split(';'))
    .map((c) => c.trim())
    .filter(Boolean);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const pathParameters = Object.fromEntries(
    hit.names.map((name, i) => [name, safeDecode(hit.values[i] ?? '')]),
  );
  const now = new Date();
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(now.toUTCString()) ?? [];
  const host = headers.host ?? 'localhost';
  const requestContext: APIGatewayEventRequestContextV2 = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: host,
    domainPrefix: host.split('.')[0] ?? host,
    http: {
      method,
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: randomBytes(10).toString('base64'),
    routeKey: routeKey(hit.route),
    stage: '$default',
    time: `${day}/${month}/${year}:${time} +0000`,
    timeEpoch: now.getTime(),
  };
  const common = {
    version: '2.0',
    routeKey: requestContext.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(hit.names.length > 0 ? { pathParameters } : {}),
  };
  let authorizer: AuthorizerContext = {};
  if (hit.route.roles.length > 0) {
    // The API-key authorizer's identity source `$request.header.Authorization`: absent → 401 without
    // calling the authorizer. The buyer authorizer has none (a cookie or a token), so it is always called.
    const buyerRoute = authorizerOf(hit.route) === 'buyer';
    if (!buyerRoute && !headers.authorization) return send(res, unauthorized());
    const authEvent: APIGatewayRequestAuthorizerEventV2 = {
      ...common,
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:eu-west-3:000000000000:local/$default/${method}${url.pathname}`,
      identitySource: buyerRoute ? [] : [headers.authorization as string],
      cookies,
      requestContext,
    };
    const result = (await invoke('authorizer', authEvent, requestContext.requestId)) as {
      isAuthorized?: unknown;
      context?: AuthorizerContext;
    };
    if (typeof result?.isAuthorized !== 'boolean')
      throw new Error('The authorizer returned no simple response { isAuthorized }');
    // Like API Gateway: a simple response `isAuthorized: false` is a 403 and no handler runs (on AWS its
    // body is the bare `{"message":"Forbidden"}`; here problem+json at the same status, as for the 401).
    if (!result.isAuthorized)
      return send(
        res,
        problem(
          403,
          'credential_denied',
          'Forbidden',
          'The authorizer denied this credential: it is malformed, unknown or revoked.',
        ),
      );
    authorizer = result.context ?? {};
  }
  const event: ApiEventV2 = {
    ...common,
    ...(cookies.length > 0 ? { cookies } : {}),
    requestContext: { ...requestContext, authorizer: { lambda: authorizer } },
    ...(body.length > 0 ? textOrBase64(body, headers['content-type']) : {}),
    isBase64Encoded: body.length > 0 && !isText(headers['content-type']),
  };
  const result = await invoke(hit.route.function, event, requestContext.requestId);
  send(res, toStructured(result), { 'apigw-requestid': requestContext.requestId });
}

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};
const isText = (contentType: string | undefined) => !contentType || TEXT_TYPES.test(contentType);
const textOrBase64 = (body: Buffer, contentType: string | undefined) => ({
  body: body.toString(isText(contentType) ? 'utf8' : 'base64'),
});

/** API Gateway v2: a result with `statusCode` is used as is; anything else is a 200 JSON body. */
function toStructured(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result)
    return result as APIGatewayProxyStructuredResultV2;
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
}

function send(
  res: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  extra: Record<string, string> = {},
) {
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries({ ...result.headers, ...extra }))
    res.setHeader(name, String(value));
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.end(
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
  );
}

const problem = (status: number, code: string, title: string, detail: string) =>
  problemResponse({ status, code, title, detail });
const unauthorized = () =>
  problemResponse(
    {
      status: 401,
      code: 'unauthorized',
      title: 'Unauthorized',
      detail: 'Send Authorization: Bearer <API key>.',
    },
    { 'www-authenticate': 'Bearer' },
  );

const declaredLength = (req: IncomingMessage) => Number(req.headers['content-length'] ?? 0);

/**
 * The whole body, or undefined as soon as it is known to exceed API Gateway's 10 MB limit (declared or
 * counted): nothing more is kept, and what follows flows on unread.
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (declaredLength(req) > MAX_PAYLOAD_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd);
      chunks.length = 0;
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

const payloadTooLarge = () =>
  problemResponse({
    status: 413,
    code: 'payload_too_large',
    title: 'Payload Too Large',
    detail: `The request body exceeds ${MAX_PAYLOAD_BYTES} bytes, API Gateway's limit.`,
    errors: [{ field: '(body)', reason: `must be at most ${MAX_PAYLOAD_BYTES} bytes` }],
  });

/**
 * 413 at once, without buffering the body. Closing right away would reset the connection under a client
 * still sending (the kernel answers unread data with RST, which may destroy the answer before it is read),
 * so the rest of the body is discarded as it comes for at most DRAIN_AFTER_REFUSAL_MS, then the
 * connection is closed.
 */
function refuseOversizedBody(req: IncomingMessage, res: ServerResponse) {
  const socket = req.socket;
  send(res, payloadTooLarge());
  if (req.readableEnded) {
    socket.end();
    return;
  }
  const giveUp = setTimeout(() => socket.destroy(), DRAIN_AFTER_REFUSAL_MS);
  giveUp.unref();
  req.once('end', () => {
    clearTimeout(giveUp);
    socket.end();
  });
  req.resume();
}

const methodNotImplemented = (method: string) =>
  problemResponse({
    status: 501,
    code: 'method_not_implemented',
    title: 'Not Implemented',
    detail: `${method} is not a method this API serves.`,
    errors: [{ field: '(method)', reason: `must be one of ${[...API_GATEWAY_METHODS].join(', ')}` }],
  });

/** RFC 9110 token characters: what a request method is made of. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

/** What Node's parser reports (`error.code`, `error.reason`) turned into the problem to answer. */
function malformedRequestProblem(error: ParserError): APIGatewayProxyStructuredResultV2 {
  const bad = (field: string, reason: string) =>
    problemResponse({
      status: 400,
      code: 'malformed_request',
      title: 'Bad Request',
      detail: 'The request is not well-formed HTTP/1.1.',
      errors: [{ field, reason }],
    });
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return problemResponse({
        status: 431,
        code: 'request_header_fields_too_large',
        title: 'Request Header Fields Too Large',
        detail: `The request line and headers exceed ${MAX_REQUEST_HEAD_BYTES} bytes, API Gateway's limit.`,
        errors: [
          { field: '(request line and headers)', reason: `must be at most ${MAX_REQUEST_HEAD_BYTES} bytes` },
        ],
      });
    case 'HPE_INVALID_METHOD': {
      // A token is a method this server does not know (FOO, get); anything else is not HTTP at all.
      const method = error.rawPacket?.subarray(0, 40).toString('latin1').split(' ')[0] ?? '';
      return METHOD_TOKEN.test(method)
        ? methodNotImplemented(method)
        : bad('(request line)', 'is not an HTTP/1.1 request line');
    }
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return bad(
        'Content-Length',
        /duplicate/i.test(error.reason ?? '') ? 'must be given once' : 'must be one decimal number of bytes',
      );
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return bad('Transfer-Encoding', 'must be chunked, and not sent with Content-Length');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problemResponse({
        status: 408,
        code: 'request_timeout',
        title: 'Request Timeout',
        detail: 'The request was not received in time.',
      });
    default:
      return bad('(request)', error.reason ?? error.code ?? 'cannot be parsed');
  }
}

type ParserError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/**
 * What the server's `clientError` listener does: a problem+json answer, then the connection closes.
 * Returns the status answered, if any.
 */
function answerMalformedRequest(error: ParserError, socket: Duplex): number | undefined {
  // Like Node's own listener: nothing to answer on a connection that is gone or already answering.
  const answering = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return undefined;
  }
  const answer = malformedRequestProblem(error);
  socket.end(rawResponse(answer));
  return answer.statusCode;
}

/** A complete HTTP/1.1 response, for the answers given on the socket itself, outside any ServerResponse. */
function rawResponse(result: APIGatewayProxyStructuredResultV2): string {
  const status = result.statusCode ?? 500;
  const body = result.body ?? '';
  const headers = {
    ...result.headers,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Listens (127.0.0.1 by default; port 0 picks a free one) and resolves with the base URL. */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(`http://${host}:${(server.address() as AddressInfo).port}`);
    });
  });
}
