import * as z from 'zod/mini';
import { MAX_LOCAL_DATE, MIN_LOCAL_DATE } from '../schemas/common.js';
import { problemSchema } from '../schemas/problem.js';
import { RESPONSES } from './responses.js';
import { authorizerOf, MAX_BODY_BYTES, ROUTES, type RouteDefinition } from './routes/index.js';

/** The schema of what a route answers on success, if it answers JSON. */
const responseOf = (route: RouteDefinition): z.ZodMiniType | null =>
  RESPONSES[route.operationId as keyof typeof RESPONSES];

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), with named schemas referenced from components. */
function toSchema(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  const { $schema: _s, $defs: _d, ...rest } = json;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${COMPONENTS}`)) as JsonSchema;
}

/** Named schemas; request bodies (Create…, Update…) in their input form, where defaulted fields are optional. */
function components(): Record<string, JsonSchema> {
  const convert = (io: 'input' | 'output') =>
    (
      z.toJSONSchema(z.globalRegistry, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        uri: (id) => `${COMPONENTS}${id}`,
      }) as { schemas: Record<string, JsonSchema> }
    ).schemas;
  const inputs = convert('input');
  const outputs = convert('output');
  const result: Record<string, JsonSchema> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const schema = /^(Create|Update)/.test(name) ? (inputs[name] ?? output) : output;
    const { $schema: _s, $id: _i, ...rest } = schema;
    result[name] = rest;
  }
  return result;
}

/** What a client sees when the authorizer denies a credential (API Gateway's answer, fixed by AWS). */
const DENIED =
  'A malformed, unknown or revoked key or token is denied by the authorizer before any function runs: API Gateway answers `{"message":"Forbidden"}` (application/json).';

const problemContent = { 'application/problem+json': { schema: { $ref: `${COMPONENTS}Problem` } } };

function errorResponses(route: RouteDefinition): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const add = (status: number, description: string) => {
    responses[String(status)] = { description, content: problemContent };
  };
  if (route.body || route.query)
    add(400, 'The request is not valid: `errors` names each field and the reason.');
  if (authorizerOf(route) === 'buyer' && route.roles.length > 0) {
    add(401, 'No live session cookie, and no bearer token (`session_required`).');
    add(
      403,
      `Not a buyer, a buyer token where a signed-in person is needed, a viewer where an admin is, or a state-changing call by cookie without its \`X-CSRF-Token\` (\`csrf_token_invalid\`). ${DENIED}`,
    );
  } else if (route.roles.length > 0) {
    add(401, 'No `Authorization` header (API Gateway answers `{"message":"Unauthorized"}`).');
    add(
      403,
      `The key is valid but its role may not do this, or the account is not enrolled with this storefront. ${DENIED}`,
    );
  }
  if (route.authentication === 'platform-signature') {
    add(400, 'Signed, but not a flow notice (`{"flowInfo": {"flowId": …}}`).');
    add(
      401,
      'Not signed by the approved platform (webhook-signature), or too old (webhook-timestamp): ignored.',
    );
    add(404, 'The platform knows no such flow, or it is about no invoice of ours: nothing recorded.');
    add(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    add(415, 'The body is not JSON.');
  }
  if (route.path.startsWith('/v1/buyer/') && route.roles.length === 0) {
    add(401, 'The code or link is wrong, expired or already used (`sign_in_failed`).');
    add(429, 'Too many sign-in attempts from this client or for this email: wait `Retry-After` seconds.');
  }
  if (route.path.includes('{')) add(404, 'No such resource (or not visible to this key).');
  if (route.method === 'POST' || route.method === 'PATCH')
    add(409, 'A concurrent request holds the resource; retry.');
  if (route.body) {
    add(413, `The body is larger than ${MAX_BODY_BYTES} bytes (${MAX_BODY_BYTES / 1024} KiB).`);
    add(415, 'The body is not JSON.');
  }
  if (route.method !== 'GET' && route.method !== 'DELETE')
    add(422, 'A business rule refused the request; `code` names it.');
  return responses;
}

function parametersOf(route: RouteDefinition): unknown[] {
  const parameters: unknown[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    const query = toSchema(route.query, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  if (route.authentication === 'platform-signature') {
    for (const [name, description] of [
      ['webhook-id', 'The message id (the same on redeliveries).'],
      ['webhook-timestamp', 'Seconds since the epoch when it was signed; refused beyond 5 minutes from now.'],
      [
        'webhook-signature',
        '`v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`, space-separated when several.',
      ],
    ] as const) {
      parameters.push({ name, in: 'header', required: true, description, schema: { type: 'string' } });
    }
  }
  for (const header of route.requiredHeaders ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: true,
      description: header.description,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    });
  }
  return parameters;
}

/** A route's success answer: its JSON schema, and the other media types it may answer in (an export). */
function successOf(route: RouteDefinition, response: ReturnType<typeof responseOf>): Record<string, unknown> {
  const others = Object.fromEntries(
    (route.alsoAnswers ?? []).map((other) => [
      other.mediaType,
      {
        schema: {
          type: 'string',
          ...(other.mediaType === 'application/pdf' ? { format: 'binary' } : {}),
          description: other.when,
        },
      },
    ]),
  );
  if (response) {
    return {
      description: 'Success',
      content: { 'application/json': { schema: toSchema(response, 'output') }, ...others },
    };
  }
  if (Object.keys(others).length > 0) return { description: 'Success', content: others };
  return { description: route.successStatus === 204 ? 'Done; no content.' : 'Success' };
}

/** The OpenAPI 3.1 document, generated from the route table and the very schemas the handlers validate with. */
export function buildOpenApiDocument(serverUrl = '/'): Record<string, unknown> {
  void problemSchema; // registered in the global registry by its import
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteDefinition[]) {
    const response = responseOf(route);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security:
        route.roles.length === 0
          ? []
          : authorizerOf(route) === 'buyer'
            ? [{ buyerSession: [] }, { buyerToken: [] }]
            : [{ apiKey: [] }],
      ...(route.roles.length > 0 ? { 'x-roles': route.roles } : {}),
      parameters: parametersOf(route),
      responses: {
        [String(route.successStatus)]: successOf(route, response),
        ...errorResponses(route),
      },
    };
    if (route.body) {
      const schema = toSchema(route.body, 'input');
      operation.requestBody = {
        required: true,
        content: {
          'application/json': { schema },
        },
      };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Deferred billing API',
      version: '1.0.0',
      description: `Deferred-payment orders for B2B marketplaces: storefronts place orders for enrolled buyer accounts, which receive one consolidated invoice per billing period. Money is in integer minor units of an ISO 4217 currency; times are ISO 8601 UTC; dates are local dates from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE}; free text is stored in Unicode NFC and refused if it holds control characters, lone surrogates, bidirectional overrides, line separators, unassigned or private-use code points; errors are RFC 9457 problem+json naming each field at fault. Request bodies are JSON of at most ${MAX_BODY_BYTES} bytes (${MAX_BODY_BYTES / 1024} KiB): a larger one gets 413 \`payload_too_large\`.`,
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'Orders', description: 'Storefronts place, read and cancel orders.' },
      { name: 'Accounts', description: 'Operators enrol buyers on deferred terms.' },
      { name: 'Storefronts', description: 'Operators manage storefronts and their API keys.' },
      {
        name: 'Sellers',
        description:
          'Operators register the sellers storefronts name on order lines; documents print their legal names.',
      },
      { name: 'Payments', description: 'Operators record payments received, and reverse mistakes.' },
      {
        name: 'Accounting',
        description:
          'Operators replay accounting events from the ledger to the bus for a connector that lost its place (README, "Replaying events").',
      },
      {
        name: 'Buyer data',
        description:
          "A buyer (signed in, or its ERP with a buyer API token) reads its own accounts: overview, orders, invoices and credit notes with their documents, payments, statement of account. An account it is not a member of, or another account's id under its path, is a 404 like an unknown one.",
      },
      {
        name: 'E-invoicing',
        description:
          "The approved platform's signed webhook: lifecycle statuses of our e-invoices (see the README).",
      },
      {
        name: 'Buyer access',
        description:
          'Buyers sign in by email (a one-time link or code) to a session cookie, or read with a buyer API token; operators and buyer admins invite them.',
      },
      {
        name: 'Accounting',
        description:
          'Operators export the books (FEC, journal CSV and JSON Lines) for a date range, list the exports and download any again, byte for byte.',
      },
      {
        name: 'Webhooks',
        description:
          'Operators register HTTPS endpoints for event types; each event is POSTed signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature), retried for 3 days, in order per account (see the README).',
      },
      { name: 'Meta', description: 'This document.' },
    ],
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An operator key (op_…), a storefront key (sk_…) or a buyer API token: `Authorization: Bearer <key>`.',
        },
        buyerSession: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-buyer_session',
          description:
            'The session cookie set by `POST /v1/buyer/sessions` (HttpOnly, Secure, SameSite=Lax; 30 minutes idle, 12 hours at most). State-changing calls also send `X-CSRF-Token` (from the session).',
        },
        buyerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A buyer API token (bt_…) of one account, read-only: `Authorization: Bearer <token>`.',
        },
      },
    },
  };
}
