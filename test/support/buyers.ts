import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { loadConfig } from '../../shared/config/app.js';
import { invitedBuyerSchema } from '../../shared/contracts/schemas/buyer.js';
import { SESSION_COOKIE } from '../../shared/core/domain/buyers.js';
import { mailboxSince } from './billing-steps.js';
import { type ApiResponse, expectBody, type HttpClient } from './http.js';

/**
 * Given/when/then steps for buyers over HTTP: a browser-like client that keeps the session cookie and the
 * CSRF token, from its own client IP (a loopback address of its own, so each test has its own sign-in
 * counters), and the sign-in email read from the local mailbox.
 */

/** This worker's own block of addresses: workers run side by side against one table's sign-in counters. */
const WORKER = Number(process.env.VITEST_POOL_ID ?? process.pid) % 250;
let nextIp = 0;

/** A fresh loopback address (127.0.0.0/8 is all loopback on Linux): one client IP per client, per worker. */
export function freshClientIp(): string {
  nextIp += 1;
  return `127.${1 + WORKER}.${Math.floor(nextIp / 250) % 256}.${1 + (nextIp % 250)}`;
}

/** A browser of a buyer: cookies in, cookies out; sends the CSRF token it was given on unsafe calls. */
export class BuyerBrowser {
  /** The session cookie's value, as the last Set-Cookie left it. */
  session: string | undefined;
  csrfToken: string | undefined;
  /** Every Set-Cookie of the last answer. */
  lastSetCookies: string[] = [];

  constructor(
    readonly baseUrl: string,
    readonly clientIp: string = freshClientIp(),
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; withCsrf?: boolean } = {},
  ): Promise<ApiResponse> {
    const url = new URL(path, this.baseUrl);
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(this.session ? { cookie: `${SESSION_COOKIE}=${this.session}` } : {}),
      ...((options.withCsrf ?? true) && this.csrfToken && method !== 'GET'
        ? { 'x-csrf-token': this.csrfToken }
        : {}),
      ...options.headers,
    };
    const answer = await new Promise<{ status: number; headers: Headers; text: string; cookies: string[] }>(
      (resolve, reject) => {
        const req = httpRequest(url, { method, headers, localAddress: this.clientIp }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (name === 'set-cookie' || value === undefined) continue;
              responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: responseHeaders,
              text: Buffer.concat(chunks).toString('utf8'),
              cookies: res.headers['set-cookie'] ?? [],
            });
          });
        });
        req.on('error', reject);
        req.end(body);
      },
    );
    this.lastSetCookies = answer.cookies;
    for (const cookie of answer.cookies) {
      const [pair] = cookie.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name === SESSION_COOKIE) this.session = value || undefined;
    }
    const isJson = /^application\/([\w.-]+\+)?json/i.test(answer.headers.get('content-type') ?? '');
    const parsed = isJson && answer.text.length > 0 ? (JSON.parse(answer.text) as unknown) : answer.text;
    const csrf = (parsed as { csrfToken?: unknown } | undefined)?.csrfToken;
    if (typeof csrf === 'string') this.csrfToken = csrf;
    return { status: answer.status, headers: answer.headers, body: parsed, text: answer.text };
  }

  get(path: string, query: Record<string, string | number | undefined> = {}) {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return this.request('GET', `${url.pathname}${url.search}`);
  }
  post(path: string, json?: unknown) {
    return this.request('POST', path, json === undefined ? {} : { json });
  }
  delete(path: string, options: { withCsrf?: boolean } = {}) {
    return this.request('DELETE', path, options);
  }
}

/** Given a person invited to an account by the operator (`POST /v1/accounts/{id}/buyers`). */
export async function givenInvitedBuyer(
  operator: HttpClient,
  accountId: string,
  overrides: { email?: string; name?: string; language?: 'fr' | 'en'; role?: 'viewer' | 'admin' } = {},
) {
  const email = overrides.email ?? `buyer-${crypto.randomUUID().slice(0, 12)}@martin.example`;
  const response = await operator.post(`/v1/accounts/${accountId}/buyers`, {
    email,
    name: overrides.name ?? 'Claire Martin',
    language: overrides.language ?? 'fr',
    role: overrides.role ?? 'viewer',
  });
  return { ...expectBody(response, 201, invitedBuyerSchema), email };
}

/** The sign-in email sent to `email` since `since`: its code and the link's token. */
export async function signInEmailFor(email: string, since: Date) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const emails = (await mailboxSince(since)).filter(
      (mail) => mail.destination.to.includes(email) && /\b\d{6}\b/.test(mail.subject),
    );
    const mail = emails.at(-1);
    if (mail) {
      const code = /\b(\d{6})\b/.exec(mail.subject)?.[1] as string;
      const text = textOf(mail);
      const token = /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] as string;
      return { mail, text, code, token, count: emails.length };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No sign-in email reached ${email}`);
}

/** The plain-text body of a captured email (the SES emulator keeps it under `body.text`). */
export const textOf = (mail: object): string =>
  (mail as { body?: { text?: string } }).body?.text ?? (mail as { text?: string }).text ?? '';

/** Emails sent to `email` since `since` (after a short wait: the mailbox is asynchronous to nothing here). */
export async function emailsTo(email: string, since: Date) {
  return (await mailboxSince(since)).filter((mail) => mail.destination.to.includes(email));
}

/** When a buyer signs in by the code from the mailbox; then their session is open. */
export async function whenSigningInByCode(browser: BuyerBrowser, email: string) {
  const since = new Date();
  expect((await browser.post('/v1/buyer/sign-in', { email })).status).toBe(202);
  const { code } = await signInEmailFor(email, since);
  return browser.post('/v1/buyer/sessions', { email, code });
}

/** Audit entries of a partition (`ACCOUNT#…` or `BUYER#…`), read from the table as an auditor would. */
export async function auditOf(partition: string): Promise<Array<Record<string, unknown>>> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const result = await getDocumentClient().send(
    new QueryCommand({
      TableName: loadConfig().tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': partition, ':sk': keys.auditPrefix },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}
