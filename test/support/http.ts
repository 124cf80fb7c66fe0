import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type * as z from 'zod/mini';
import {
  type Account,
  accountSchema,
  type CreateAccountInput,
  exposureSchema,
} from '../../shared/contracts/schemas/account.js';
import { type CreateOrderInput, type Order, orderSchema } from '../../shared/contracts/schemas/order.js';
import { type Problem, problemSchema } from '../../shared/contracts/schemas/problem.js';
import { createdStorefrontSchema } from '../../shared/contracts/schemas/storefront.js';
import { anAccount } from '../builders/accounts.js';
import { aStorefront } from '../builders/storefronts.js';

/**
 * A small typed HTTP client and given/when/then steps for the end-to-end tier: everything goes over HTTP
 * through the local API Gateway adapter, as a storefront or an operator would call the API.
 */

/** One HTTP answer, body parsed when it is JSON. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON (`application/json` or `application/problem+json`), else the text. */
  body: unknown;
  text: string;
}

export interface RequestOptions {
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown;
  /** A raw body, sent as is: fetch labels a string `text/plain` unless a content-type header is given; bytes carry none. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
}

/** Calls the API with one API key (or none). */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  /** The same API with another key (or none). */
  as(apiKey: string | undefined): HttpClient {
    return new HttpClient(this.baseUrl, apiKey);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.raw;
    const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const isJson = /^application\/([\w.-]+\+)?json/i.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers: response.headers,
      body: isJson && text.length > 0 ? (JSON.parse(text) as unknown) : text,
      text,
    };
  }

  get(path: string, query?: RequestOptions['query']) {
    return this.request('GET', path, query ? { query } : {});
  }
  post(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, {
      ...(json !== undefined ? { json } : {}),
      ...(headers ? { headers } : {}),
    });
  }
  patch(path: string, json: unknown) {
    return this.request('PATCH', path, { json });
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Then: assertions on what a caller sees.

/** Asserts the status and parses the body with the API's own response schema (so it also checks the shape). */
export function expectBody<S extends z.ZodMiniType>(
  response: ApiResponse,
  status: number,
  schema: S,
): z.infer<S> {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return schema.parse(response.body);
}

/**
 * Asserts an RFC 9457 problem: status, `application/problem+json`, the stable `code` and, when given, the
 * fields named in `errors`.
 */
export function expectProblem(
  response: ApiResponse,
  status: number,
  code: string,
  fields?: readonly string[],
): Problem & Record<string, unknown> {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  // Parsed to check the shape; the raw body is returned so extensions (e.g. availableCreditMinor) stay.
  problemSchema.parse(response.body);
  const problem = response.body as Problem & Record<string, unknown>;
  expect(problem).toMatchObject({ status, code });
  expect(problem.type).toMatch(new RegExp(`/${code}$`));
  if (fields) expect(problem.errors?.map((error) => error.field)).toEqual(fields);
  return problem;
}

// ---------------------------------------------------------------------------------------------------------
// Given: set-up through the operator API.

export interface GivenStorefront {
  storefrontId: string;
  keyId: string;
  apiKey: string;
  /** The API as this storefront. */
  client: HttpClient;
}

/** Given a storefront registered through `POST /v1/storefronts`, with its first key. */
export async function givenStorefront(operator: HttpClient): Promise<GivenStorefront> {
  const response = await operator.post('/v1/storefronts', aStorefront());
  const { storefront, key } = expectBody(response, 201, createdStorefrontSchema);
  return {
    storefrontId: storefront.storefrontId,
    keyId: key.keyId,
    apiKey: key.apiKey,
    client: operator.as(key.apiKey),
  };
}

/** Given an account enrolled through `POST /v1/accounts` (unique names; overrides say what the test is about). */
export async function givenAccount(
  operator: HttpClient,
  overrides: Partial<CreateAccountInput> = {},
): Promise<Account> {
  return expectBody(await operator.post('/v1/accounts', anAccount(overrides)), 201, accountSchema);
}

/** Given a fresh storefront and an account enrolled with it. */
export async function givenEnrolledAccount(
  operator: HttpClient,
  overrides: Partial<CreateAccountInput> = {},
): Promise<{ storefront: GivenStorefront; account: Account }> {
  const storefront = await givenStorefront(operator);
  const account = await givenAccount(operator, { storefrontIds: [storefront.storefrontId], ...overrides });
  return { storefront, account };
}

// ---------------------------------------------------------------------------------------------------------
// When: the storefront's and operator's actions.

/** A storefront posts an order with an Idempotency-Key (a fresh UUID unless given). */
export function whenPlacingOrder(
  storefront: HttpClient,
  order: CreateOrderInput,
  idempotencyKey: string = randomUUID(),
): Promise<ApiResponse> {
  return storefront.post('/v1/orders', order, { 'idempotency-key': idempotencyKey });
}

/** Places an order that must be accepted, and returns it. */
export async function givenPlacedOrder(storefront: HttpClient, order: CreateOrderInput): Promise<Order> {
  return expectBody(await whenPlacingOrder(storefront, order), 201, orderSchema);
}

/** The account's exposure as the operator reads it. */
export async function exposureOf(operator: HttpClient, accountId: string) {
  return expectBody(await operator.get(`/v1/accounts/${accountId}/exposure`), 200, exposureSchema);
}

/** Every order of a billing period, following the cursors (limit per page configurable). */
export async function ordersOfPeriod(
  client: HttpClient,
  accountId: string,
  periodStart: string,
  limit = 100,
): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | undefined;
  do {
    const response = await client.get(`/v1/accounts/${accountId}/orders`, { periodStart, limit, cursor });
    expect(response.status, response.text).toBe(200);
    const page = response.body as { items: unknown[]; nextCursor?: string };
    orders.push(...page.items.map((item) => orderSchema.parse(item)));
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar helpers computed independently of the product's period code.

const MARKETPLACE_TIME_ZONE = 'Europe/Paris';

/** The local date (YYYY-MM-DD) of an instant in the marketplace time zone. */
export function parisDate(instant: Date | string = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: MARKETPLACE_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

/** The first instant (UTC ISO) of a local day in Paris; DST never changes at midnight there. */
export function parisMidnight(date: string): string {
  const offset = new Intl.DateTimeFormat('en', {
    timeZone: MARKETPLACE_TIME_ZONE,
    timeZoneName: 'longOffset',
  })
    .formatToParts(new Date(`${date}T00:00:00Z`))
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-]\d{2}:\d{2})?/.exec(offset ?? '');
  return new Date(`${date}T00:00:00${match?.[1] ?? 'Z'}`).toISOString();
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The billing period of a cycle containing an instant, by plain calendar arithmetic on the Paris date
 * (ISO week, 1st–15th / 16th–end, calendar month, calendar quarter): first day, last day, next first day.
 */
export function periodByHand(
  cycle: 'weekly' | 'semi-monthly' | 'monthly' | 'quarterly',
  instant: Date | string = new Date(),
) {
  const [year, month, day] = parisDate(instant).split('-').map(Number) as [number, number, number];
  const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
  let start: Date;
  let next: Date;
  switch (cycle) {
    case 'weekly': {
      const today = utc(year, month, day);
      const sinceMonday = (today.getUTCDay() + 6) % 7;
      start = utc(year, month, day - sinceMonday);
      next = utc(year, month, day - sinceMonday + 7);
      break;
    }
    case 'semi-monthly':
      start = utc(year, month, day >= 16 ? 16 : 1);
      next = day >= 16 ? utc(year, month + 1, 1) : utc(year, month, 16);
      break;
    case 'monthly':
      start = utc(year, month, 1);
      next = utc(year, month + 1, 1);
      break;
    case 'quarterly': {
      const first = month - ((month - 1) % 3);
      start = utc(year, first, 1);
      next = utc(year, first + 3, 1);
      break;
    }
  }
  return {
    startDate: isoDay(start),
    endDate: isoDay(new Date(next.getTime() - 86_400_000)),
    nextStartDate: isoDay(next),
  };
}

/** The monthly billing period containing an instant (the default cycle). */
export const monthlyPeriodOf = (instant: Date | string = new Date()) => periodByHand('monthly', instant);

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
