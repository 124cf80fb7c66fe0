import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl, mayConnectTo, type PrivateTargetAllowance } from '../../core/domain/webhooks.js';
import type { HostResolver, WebhookRequest, WebhookSender } from '../../core/ports/webhooks.js';

/** What an attempt may take in all, connection included: longer counts as a failure. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Characters of a non-2xx answer kept in the delivery log (enough for an error message, no more). */
const RESPONSE_KEPT_CHARS = 300;

/** Every address of a host, as the system resolves it. */
const systemLookup = (host: string): Promise<LookupAddress[]> =>
  dnsLookupAll(host, { all: true, verbatim: true });

/** Every address of a host (the registration's check). */
export const dnsHostResolver: HostResolver = {
  async addresses(host) {
    return (await systemLookup(host)).map((entry) => entry.address);
  },
};

/**
 * Webhooks over node's https. The connection's own DNS lookup is replaced by one that resolves the host,
 * refuses it if any address is private, loopback, link-local, CGNAT, multicast or reserved (IPv4 and IPv6,
 * IPv4-mapped included), and hands the socket the very address it checked: a name that changed to point
 * inside since registration (DNS rebinding) is refused at the connection. Redirects are not followed (a
 * 3xx is a failure), so an answer cannot send us elsewhere.
 */
export class HttpsWebhookSender implements WebhookSender {
  constructor(
    private readonly options: {
      allowance: PrivateTargetAllowance;
      timeoutMs?: number;
      /** How hosts resolve (tests: a name that rebinds); the system's resolver by default. */
      lookup?: (host: string) => Promise<LookupAddress[]>;
    },
  ) {}

  async send(request: WebhookRequest): Promise<{ ok: boolean; statusCode?: number; error?: string }> {
    const checked = checkWebhookUrl(request.url, this.options.allowance);
    if (!checked.ok) return { ok: false, error: `refused: the URL ${checked.reason}` };
    const url = new URL(checked.checked.url);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const requestOptions: RequestOptions = {
      method: 'POST',
      headers: {
        ...request.headers,
        'content-length': String(Buffer.byteLength(request.body)),
        'user-agent': 'deferred-billing-webhooks/1',
      },
      lookup: this.checkedLookup(),
      timeout: timeoutMs,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: { ok: boolean; statusCode?: number; error?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const outgoing = send(url, requestOptions, (response: IncomingMessage) => {
        const statusCode = response.statusCode ?? 0;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < RESPONSE_KEPT_CHARS) text += chunk;
        });
        response.on('end', () => {
          const ok = statusCode >= 200 && statusCode < 300;
          finish({
            ok,
            statusCode,
            ...(ok
              ? {}
              : { error: `HTTP ${statusCode}${text ? `: ${text.slice(0, RESPONSE_KEPT_CHARS)}` : ''}` }),
          });
        });
        response.on('error', (error) =>
          finish({ ok: false, statusCode, error: `answer cut: ${error.message}` }),
        );
      });
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`timeout after ${timeoutMs / 1000} s`));
      }, timeoutMs);
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout after ${timeoutMs / 1000} s`)));
      outgoing.on('error', (error) => finish({ ok: false, error: error.message }));
      outgoing.end(request.body);
    });
  }

  /** A DNS lookup that answers only addresses a webhook may reach, and only the first of them. */
  private checkedLookup(): LookupFunction {
    const allowance = this.options.allowance;
    const resolve = this.options.lookup ?? systemLookup;
    return (hostname, options, callback) => {
      resolve(hostname).then(
        (addresses) => {
          const refused = addresses.find((entry) => !mayConnectTo(entry.address, allowance));
          const first = addresses[0];
          if (refused || !first) {
            const reason = refused ? `a private or reserved address (${refused.address})` : 'no address';
            const error = Object.assign(new Error(`refused: ${hostname} resolves to ${reason}`), {
              code: 'EREFUSED',
            });
            callback(error, '', 4);
            return;
          }
          if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, [first]);
          else callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 4),
      );
    };
  }
}
