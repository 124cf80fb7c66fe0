import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * How platform webhooks are signed. XP Z12-013 (v1.2.0) lets the subscriber give a signature algorithm and
 * key when registering a webhook (`callback.signature = { algo: "HS256", key: <base64> }`) but does not say
 * which headers carry the signature nor what is signed. We follow the Standard Webhooks specification
 * (standardwebhooks.com), an HMAC-SHA256 scheme with a timestamp against replays:
 *
 *   webhook-id:        a unique id of the message (the same on redeliveries)
 *   webhook-timestamp: seconds since the epoch when it was signed
 *   webhook-signature: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated when a
 *                      key rotation makes the platform sign with several keys
 *
 * The key is the base64 string registered with the platform (a `whsec_` prefix is accepted and ignored).
 */

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const keyBytes = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

const digest = (secret: string, id: string, timestamp: string, body: string) =>
  createHmac('sha256', keyBytes(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest();

/** The headers that sign `body` (what the platform, or our fake of it, sends). */
export function signWebhook(input: {
  secret: string;
  id: string;
  /** Seconds since the epoch. */
  timestamp: number;
  body: string;
}): Record<string, string> {
  const timestamp = String(Math.trunc(input.timestamp));
  return {
    [WEBHOOK_HEADERS.id]: input.id,
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: `v1,${digest(input.secret, input.id, timestamp, input.body).toString('base64')}`,
  };
}

export type WebhookVerification =
  | { ok: true; id: string }
  | { ok: false; reason: 'unsigned' | 'bad_signature' | 'stale' };

/**
 * Checks a webhook's signature (in constant time, against every `v1` signature it carries), then that it
 * was signed within `toleranceSeconds` of `now` either way: an older call is a replay, a later one a
 * forgery or a broken clock.
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
  now: Date;
  toleranceSeconds: number;
}): WebhookVerification {
  const id = input.headers[WEBHOOK_HEADERS.id];
  const timestamp = input.headers[WEBHOOK_HEADERS.timestamp];
  const signatures = input.headers[WEBHOOK_HEADERS.signature];
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'unsigned' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_signature' };
  const expected = digest(input.secret, id, timestamp, input.body);
  const matches = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { ok: false, reason: 'bad_signature' };
  const ageSeconds = input.now.getTime() / 1000 - Number(timestamp);
  if (Math.abs(ageSeconds) > input.toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, id };
}
