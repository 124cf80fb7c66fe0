import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { problemResponse } from '../../functions/commons/problem.js';
import { AUTHORIZER_CACHE_SECONDS } from '../../shared/auth/api-keys.js';
import { ROUTES, type RouteDefinition, routeKey } from '../../shared/http/routes.js';
import { localLambdaContext } from './lambda-context.js';

/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): matches the route table, runs the Lambda
 * authorizer (simple responses) on protected routes, invokes the route's handler in-process and applies
 * API Gateway's response rules. Like API Gateway, it caches the authorizer's answer per identity source
 * (the Authorization header) for `authorizerCacheTtlSeconds` (by default the stack's own lifetime,
 * `AUTHORIZER_CACHE_SECONDS.default`), so a revoked key keeps working until its cached answer expires, here
 * as on AWS. No 30 s integration timeout.
 */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
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
    if (name !== 'authorizer' || ttlMs <= 0) return callHandler(name, event, requestId);
    const identity = ((event as APIGatewayRequestAuthorizerEventV2).identitySource ?? []).join(',');
    const cached = authorizerCache.get(identity);
    if (cached && cached.expiresAt > Date.now()) return cached.answer;
    const answer = await callHandler(name, event, requestId);
    authorizerCache.set(identity, { answer, expiresAt: Date.now() + ttlMs });
    return answer;
  };

  return createServer((req, res) => {
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
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  invoke: (n: string, e: object, id: string) => Promise<unknown>,
) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
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
  if (!body) {
    res.setHeader('connection', 'close');
    return send(
      res,
      problem(
        413,
        'payload_too_large',
        'Payload Too Large',
        `The request exceeds ${MAX_PAYLOAD_BYTES} bytes.`,
      ),
    );
  }
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
    // Identity source `$request.header.Authorization`: absent → 401 without calling the authorizer.
    if (!headers.authorization) return send(res, unauthorized());
    const authEvent: APIGatewayRequestAuthorizerEventV2 = {
      ...common,
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:eu-west-3:000000000000:local/$default/${method}${url.pathname}`,
      identitySource: [headers.authorization],
      cookies,
      requestContext,
    };
    const result = (await invoke('authorizer', authEvent, requestContext.requestId)) as {
      isAuthorized?: unknown;
      context?: AuthorizerContext;
    };
    if (typeof result?.isAuthorized !== 'boolean')
      throw new Error('The authorizer returned no simple response { isAuthorized }');
    // Like API Gateway: a simple response `isAuthorized: false` is a 403.
    if (!result.isAuthorized)
      return send(res, problem(403, 'forbidden', 'Forbidden', 'This API key may not call this route.'));
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

/** The whole body, or undefined when it exceeds API Gateway's 10 MB limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_PAYLOAD_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
