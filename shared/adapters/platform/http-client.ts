import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { LifecycleReason } from '../../core/domain/einvoice-lifecycle.js';
import { PlatformAccessRefused, PlatformFailure } from '../../core/ports/approved-platform.js';
import type { PlatformCredentials } from './credentials.js';

/*
 * The one HTTP client of the approved platform (Node's fetch): OAuth2 client credentials with the token
 * cached until shortly before it expires and fetched again once on a 401, a timeout on every call, and
 * every failure classified as the port's PlatformFailure. It does not retry: the workflow does, with
 * backoff, and knows whether a retry is safe.
 */

export interface PlatformHttpOptions {
  tokenUrl: string;
  clientId: string;
  credentials: PlatformCredentials;
  /** Each call (token, request, answer) must be done within this time. */
  timeoutMs: number;
  /** The clock of token lifetimes (tests move it). */
  now?: () => number;
}

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  contentType: string;
  /** Given for a file part only. */
  fileName?: string;
  data: Uint8Array | string;
}

export interface PlatformRequest {
  method: 'GET' | 'POST';
  url: string;
  json?: unknown;
  form?: readonly FormPart[];
  accept?: string;
  /**
   * The call changes something at the platform (a deposit): a timeout or a broken connection after it was
   * sent is then ambiguous, where for a read it is merely transient.
   */
  write: boolean;
}

export interface PlatformResponse {
  status: number;
  contentType: string;
  body: Buffer;
  /** The Retry-After header of a 429 or 503, when given. */
  retryAfter?: string;
}

const tokenSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.optional(z.coerce.number()),
});

/** A token is renewed this long before the platform says it expires (clock skew, slow calls). */
const TOKEN_MARGIN_MS = 60_000;
/** Failures of the connection itself: the request never left, so nothing can have happened. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class PlatformHttpClient {
  private token: { value: string; renewAt: number } | undefined;
  private fetchingToken: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PlatformHttpOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends a request with a valid token. Answers 2xx and 404 (the caller knows what a missing resource
   * means); throws a PlatformFailure for anything else.
   */
  async send(request: PlatformRequest): Promise<PlatformResponse> {
    let response = await this.attempt(request, await this.accessToken());
    if (response.status === 401) {
      // The token expired or was revoked early: the platform did nothing with the call, get a new one once.
      this.token = undefined;
      response = await this.attempt(request, await this.accessToken());
    }
    if ((response.status >= 200 && response.status < 300) || response.status === 404) return response;
    throw failureOf(response, request.write);
  }

  private async attempt(request: PlatformRequest, token: string): Promise<PlatformResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: request.accept ?? 'application/json',
    };
    let body: Uint8Array | string | undefined;
    if (request.form) {
      const form = multipart(request.form);
      headers['content-type'] = form.contentType;
      body = form.body;
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    return this.exchange(request.url, { method: request.method, headers, body }, request.write);
  }

  private async exchange(
    url: string,
    init: { method: string; headers: Record<string, string>; body: Uint8Array | string | undefined },
    write: boolean,
  ): Promise<PlatformResponse> {
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
      // The body is read under the same deadline: a platform that stalls mid-answer is a timeout too.
      const body = Buffer.from(await response.arrayBuffer());
      const retryAfter = response.headers.get('retry-after');
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body,
        ...(retryAfter ? { retryAfter } : {}),
      };
    } catch (error) {
      throw networkFailure(error, `${init.method} ${url}`, write);
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    // Concurrent calls share one token request.
    this.fetchingToken ??= this.fetchToken().finally(() => {
      this.fetchingToken = undefined;
    });
    return this.fetchingToken;
  }

  private async fetchToken(): Promise<string> {
    let secrets = await this.options.credentials.current();
    let response = await this.requestToken(secrets.clientSecret);
    if (response.status === 400 || response.status === 401) {
      // Perhaps the secret was rotated since we read it: read it again, once.
      secrets = await this.options.credentials.refresh();
      response = await this.requestToken(secrets.clientSecret);
    }
    if (response.status !== 200) {
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        throw new PlatformAccessRefused(
          `the platform's token endpoint refused our client credentials (HTTP ${response.status})`,
          reasonsOf(response),
        );
      }
      throw failureOf(response, false);
    }
    const parsed = tokenSchema.safeParse(parseJson(response.body));
    if (!parsed.success) {
      throw new PlatformFailure(
        'transient',
        "the platform's token endpoint answered without an access token",
      );
    }
    const lifetimeMs = (parsed.data.expires_in ?? 300) * 1000;
    this.token = {
      value: parsed.data.access_token,
      renewAt: this.now() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2),
    };
    return this.token.value;
  }

  private requestToken(clientSecret: string): Promise<PlatformResponse> {
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(clientSecret)}`,
    ).toString('base64');
    return this.exchange(
      this.options.tokenUrl,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      },
      false,
    );
  }
}

/** A non-2xx answer as a PlatformFailure: 429 and 503 are transient; other 5xx ambiguous for a write. */
function failureOf(response: PlatformResponse, write: boolean): PlatformFailure {
  const { status } = response;
  const reasons = reasonsOf(response);
  const summary = `the platform answered HTTP ${status}${reasons[0] ? `: ${reasons[0].text}` : ''}`;
  if (status === 429 || status === 503) {
    return new PlatformFailure('transient', summary, reasons, retryAfterSeconds(response.retryAfter));
  }
  if (status >= 500) {
    // A 500, 502 or 504 may come after the platform did the work (a gateway that timed out behind it).
    return new PlatformFailure(write ? 'ambiguous' : 'transient', summary, reasons);
  }
  // Our access, not the request: the submission step must not take it for the invoice's rejection.
  if (status === 401 || status === 403) return new PlatformAccessRefused(summary, reasons);
  return new PlatformFailure('rejected', summary, reasons);
}

function networkFailure(error: unknown, call: string, write: boolean): PlatformFailure {
  const name = (error as Error).name;
  const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? '');
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new PlatformFailure(write ? 'ambiguous' : 'transient', `${call} timed out`);
  }
  if (NOT_SENT_CODES.has(code)) {
    return new PlatformFailure('transient', `${call} could not connect (${code})`);
  }
  return new PlatformFailure(
    write ? 'ambiguous' : 'transient',
    `${call} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`,
  );
}

const errorDetailSchema = z.object({
  level: z.optional(z.string()),
  item: z.optional(z.string()),
  reasonCode: z.optional(z.string()),
  reasonMessage: z.optional(z.string()),
});

/** The AFNOR error document (`errorCode`, `errorMessage`; older drafts `type`, `message`), as reasons. */
const errorSchema = z.object({
  errorCode: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  message: z.optional(z.string()),
  type: z.optional(z.string()),
  details: z.optional(z.union([z.string(), z.array(errorDetailSchema)])),
});

function reasonsOf(response: PlatformResponse): LifecycleReason[] {
  const parsed = errorSchema.safeParse(parseJson(response.body));
  if (!parsed.success) return [];
  const { errorCode, errorMessage, message, type, details } = parsed.data;
  const code = errorCode ?? type;
  const text = errorMessage ?? message ?? (typeof details === 'string' ? details : undefined) ?? code;
  const reasons: LifecycleReason[] = text ? [{ ...(code ? { code } : {}), text }] : [];
  if (Array.isArray(details)) {
    for (const detail of details) {
      const words = detail.reasonMessage ?? detail.reasonCode;
      if (!words) continue;
      reasons.push({
        ...(detail.reasonCode ? { code: detail.reasonCode } : {}),
        ...(detail.item ? { item: detail.item } : {}),
        text: words,
      });
    }
  }
  return reasons;
}

/** Retry-After as seconds (either form HTTP allows); undefined when absent or unreadable. */
function retryAfterSeconds(header: string | undefined): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A multipart/form-data body written by hand: FormData would give the JSON part a file name to carry its
 * content type, and the Flow Service expects `flowInfo` as a plain field of type application/json.
 */
function multipart(parts: readonly FormPart[]): { contentType: string; body: Buffer } {
  const boundary = `----deferred-billing-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const fileName = part.fileName?.replace(/[\r\n"\\]/g, '_');
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"` +
          `${fileName !== undefined ? `; filename="${fileName}"` : ''}\r\n` +
          `Content-Type: ${part.contentType}\r\n\r\n`,
      ),
      typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : Buffer.from(part.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
