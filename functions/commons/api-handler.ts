import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  MAX_BODY_BYTES,
  type RouteDefinition,
  routeKey,
} from '../../shared/contracts/http/routes/definition.js';
import { PATH_PARAMETERS, type PathParameter } from '../../shared/contracts/schemas/path-parameters.js';
import type { Principal } from '../../shared/core/domain/api-keys.js';
import { requireIdempotencyKey } from '../../shared/core/domain/idempotency.js';
import { DomainError, type FieldError, forbidden, validationFailed } from '../../shared/core/errors.js';
import { logger, withInvocationLogger } from './logger.js';
import { errorToProblem, problemResponse } from './problem.js';

export { MAX_BODY_BYTES };

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

/** The authorizer's context as API Gateway passes it on (simple responses carry strings). */
export interface AuthorizerContext {
  /**
   * `none`: no live buyer session, or no CSRF token (the authorizer lets these through so the buyer function
   * answers 401 or 403 naming why). A malformed, unknown or revoked key is denied by the authorizer itself.
   */
  role: Principal['role'] | 'none';
  keyId: string;
  storefrontId?: string;
  /** A buyer principal: its id, and its accounts comma-separated (the context holds strings only). */
  buyerId?: string;
  accountIds?: string;
  authenticatedBy?: 'session' | 'token';
  /**
   * A buyer route: `session` when no live session or active buyer token came with the call (401);
   * `csrf` when a cookie-authenticated, state-changing call lacks its session's X-CSRF-Token (403).
   */
  reason?: 'malformed' | 'unknown' | 'revoked' | 'session' | 'csrf';
}

type Infer<S> = S extends z.core.$ZodType ? z.infer<S> : undefined;

/** What a route implementation receives: validated input (typed from the route's schemas) and the caller. */
export interface ApiRequest<Route extends RouteDefinition> {
  body: Route extends { body: infer S } ? Infer<S> : undefined;
  query: Route extends { query: infer S } ? Infer<S> : undefined;
  /** The route's `Idempotency-Key`, checked by the edge (routes that require it in the route table). */
  idempotencyKey: Route extends { requiredHeaders: readonly { name: 'Idempotency-Key' }[] }
    ? string
    : undefined;
  pathParameters: Record<string, string>;
  headers: Record<string, string | undefined>;
  principal: Principal;
  requestId: string;
  event: ApiEvent;
}

/**
 * The answer to an idempotent command (order, payment, credit note), the one way: its status (201 the first
 * time, the first answer's status on a replay), the resource, where it lives, and `Idempotent-Replayed`.
 */
export function idempotentAnswer(
  result: { status: number; replayed: boolean },
  body: unknown,
  location: string,
): ApiResult {
  return {
    status: result.status,
    body,
    headers: { location, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
}

/** What a route implementation answers; the status defaults to the route's success status. */
export interface ApiResult {
  status?: number;
  body?: unknown;
  /** A body sent as is instead of JSON (a CSV export), with its `content-type` in `headers`. */
  text?: string;
  /** A binary body (a PDF), sent base64-encoded as API Gateway wants it, `content-type` in `headers`. */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  /** `Set-Cookie` values (API Gateway v2 sends each as its own header). */
  cookies?: string[];
}

/** One implementation per route of a function, by operationId: a route left out does not compile. */
export type RouteImplementations<Routes extends readonly RouteDefinition[]> = {
  [Op in Routes[number]['operationId']]: (
    request: ApiRequest<Extract<Routes[number], { operationId: Op }>>,
  ) => Promise<ApiResult>;
};

/**
 * Builds the Lambda handler of one API function from its own routes (`shared/contracts/http/routes/<name>.ts`,
 * so the function builds no other route's schemas): each invocation logs with its own logger (function,
 * request id, route key, correlation id), then middleware (one error mapping to problem+json), routing on
 * the route key, role check, body/query/path validation against the routes' schemas, and finally the
 * route implementation.
 */
export function apiHandler<const Routes extends readonly RouteDefinition[]>(
  functionRoutes: Routes,
  implementations: RouteImplementations<Routes>,
): (event: ApiEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  const routes = new Map<string, RouteDefinition>(functionRoutes.map((route) => [routeKey(route), route]));
  const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>()
    .onError((request) => {
      const error = request.error;
      const isDomain = error instanceof DomainError;
      if (!isDomain || error.status >= 500) logger.error('request failed', { error });
      else logger.info('request refused', { code: error.code, status: error.status });
      request.response = errorToProblem(error, request.event.rawPath);
    })
    .handler(async (event) => {
      const route = routes.get(event.routeKey);
      if (!route) {
        return problemResponse({ title: 'Not found', status: 404, code: 'route_not_found' });
      }
      const principal = authorize(route, event);
      const implementation = (
        implementations as unknown as Record<string, (r: ApiRequest<RouteDefinition>) => Promise<ApiResult>>
      )[route.operationId];
      if (!implementation) throw new Error(`No implementation for ${route.operationId}`);
      // The path first: a request about a resource that cannot exist is a 404 whatever its body says.
      const pathParameters = parsePathParameters(event.pathParameters ?? {});
      const request: ApiRequest<RouteDefinition> = {
        body: route.body ? (parseBody(route.body, event) as never) : (undefined as never),
        query: route.query
          ? (parseWith(route.query, event.queryStringParameters ?? {}, 'query') as never)
          : (undefined as never),
        pathParameters,
        idempotencyKey: route.requiredHeaders?.some((header) => header.name === 'Idempotency-Key')
          ? (requireIdempotencyKey(event.headers?.['idempotency-key']) as never)
          : (undefined as never),
        headers: event.headers ?? {},
        principal,
        requestId: event.requestContext.requestId,
        event,
      };
      const result = await implementation(request);
      const status = result.status ?? route.successStatus;
      if (result.text !== undefined) {
        return { statusCode: status, headers: { ...result.headers }, body: result.text };
      }
      if (result.bytes !== undefined) {
        return {
          statusCode: status,
          headers: { ...result.headers },
          body: Buffer.from(result.bytes).toString('base64'),
          isBase64Encoded: true,
        };
      }
      return {
        statusCode: status,
        headers: {
          ...(result.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...result.headers,
        },
        ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
        ...(result.cookies?.length ? { cookies: result.cookies } : {}),
      };
    });
  return (event, context) =>
    withInvocationLogger(
      context,
      {
        requestId: event.requestContext?.requestId,
        routeKey: event.routeKey,
        correlationId: event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId,
      },
      () => handler(event, context),
    );
}

function authorize(route: RouteDefinition, event: ApiEvent): Principal {
  // A public route: no key at all, or (signed routes) a signature the implementation checks first.
  if (route.roles.length === 0) {
    return { role: 'operator', keyId: route.authentication ?? 'public' } as Principal;
  }
  const context = event.requestContext.authorizer?.lambda;
  if (!context?.role) {
    throw new DomainError('unauthorized', 401, 'Unauthorized', 'A valid API key is required.');
  }
  if (context.role === 'none' && context.reason === 'csrf') {
    throw new DomainError(
      'csrf_token_invalid',
      403,
      'Forbidden',
      'A state-changing call signed in by the session cookie must carry the X-CSRF-Token of that session.',
      [{ field: 'X-CSRF-Token', reason: 'is missing or does not match the session' }],
    );
  }
  if (context.role === 'none' && context.reason === 'session') {
    throw new DomainError(
      'session_required',
      401,
      'Unauthorized',
      'Sign in (a live session cookie) or send Authorization: Bearer <buyer token>.',
      [{ field: 'Cookie', reason: 'no live session or active buyer token' }],
    );
  }
  // The authorizer denies malformed, unknown and revoked keys itself; this stays as a defence in depth (an
  // authorizer answer cached by a previous deployment, a route wired to another authorizer).
  if (context.role === 'none') {
    throw new DomainError(
      'invalid_api_key',
      401,
      'Unauthorized',
      context.reason === 'revoked'
        ? 'This API key was revoked.'
        : 'The API key is not valid: send Authorization: Bearer <key>.',
      [{ field: 'Authorization', reason: `the key is ${context.reason ?? 'unknown'}` }],
    );
  }
  if (!route.roles.includes(context.role)) {
    throw forbidden(`A ${context.role} key cannot call ${route.method} ${route.path}.`);
  }
  return {
    role: context.role,
    keyId: context.keyId,
    ...(context.storefrontId ? { storefrontId: context.storefrontId } : {}),
    ...(context.buyerId ? { buyerId: context.buyerId } : {}),
    ...(context.accountIds !== undefined
      ? { accountIds: context.accountIds.split(',').filter((id) => id.length > 0) }
      : {}),
    ...(context.authenticatedBy ? { authenticatedBy: context.authenticatedBy } : {}),
  };
}

/**
 * The body's text, once it is JSON by its Content-Type (415 otherwise) and within MAX_BODY_BYTES (413):
 * what every JSON body goes through, the webhook's raw body included.
 */
export function jsonBodyText(event: ApiEvent): string {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new DomainError(
      'unsupported_media_type',
      415,
      'Unsupported media type',
      'The body must be JSON: send Content-Type: application/json.',
      [{ field: 'Content-Type', reason: contentType ? `${contentType} is not accepted` : 'is missing' }],
    );
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new DomainError(
      'payload_too_large',
      413,
      'Payload too large',
      `The body exceeds ${MAX_BODY_BYTES} bytes.`,
      [{ field: '(body)', reason: `must be at most ${MAX_BODY_BYTES} bytes` }],
    );
  }
  return text;
}

function parseBody(schema: z.ZodMiniType, event: ApiEvent): unknown {
  const text = jsonBodyText(event);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw validationFailed(
      [{ field: '(body)', reason: `is not valid JSON: ${(error as Error).message}` }],
      'The body is not valid JSON.',
    );
  }
  return parseWith(schema, json, 'body');
}

/** Validates with zod and reports every issue with its field path. */
export function parseWith<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' | 'path',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: base ? `${base}.${key}` : key, reason: 'is not an accepted field' });
      }
    } else if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      errors.push({ field: base || `(${where})`, reason: 'is required' });
    } else {
      errors.push({ field: base || `(${where})`, reason: issue.message });
    }
  }
  const detail =
    where === 'body'
      ? 'The body does not match the schema.'
      : where === 'query'
        ? 'The query string is not valid.'
        : 'A path parameter is not valid.';
  throw validationFailed(errors, detail);
}

/** The route table's path parameters by name (a name it does not know is passed on as is). */
const PATH_PARAMETER_BY_NAME = new Map<string, PathParameter>(Object.entries(PATH_PARAMETERS));
/** Their schemas, built on the first request that carries each (a function without one builds none). */
const PATH_PARAMETER_SCHEMAS = new Map<string, ReturnType<PathParameter['schema']>>();

function pathParameterSchema(name: string, parameter: PathParameter): ReturnType<PathParameter['schema']> {
  let schema = PATH_PARAMETER_SCHEMAS.get(name);
  if (!schema) {
    schema = parameter.schema();
    PATH_PARAMETER_SCHEMAS.set(name, schema);
  }
  return schema;
}

function parsePathParameters(parameters: Record<string, string | undefined>): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = PATH_PARAMETER_BY_NAME.get(name);
    if (value === undefined) continue;
    if (!parameter) {
      parsed[name] = value;
      continue;
    }
    const result = pathParameterSchema(name, parameter).safeParse(value);
    if (!result.success) {
      // A malformed id names no resource: the same 404 as an unknown one, with the reason on the field.
      throw new DomainError(
        `${parameter.resource}_not_found`,
        404,
        'Not found',
        `No resource with ${name} ${value}.`,
        [{ field: name, reason: result.error.issues[0]?.message ?? 'is not a valid id' }],
      );
    }
    parsed[name] = result.data;
  }
  return parsed;
}
