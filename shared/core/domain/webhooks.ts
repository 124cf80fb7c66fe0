import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIP, isIPv6 } from 'node:net';

/*
 * Outgoing webhooks, the Standard Webhooks way (https://www.standardwebhooks.com): the secret, the
 * signature, the delivery's id, the retry schedule and which targets we agree to call. Pure: the sender
 * and the store are ports.
 */

/** Prefix of a Standard Webhooks secret: `whsec_` + base64 of the key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Bytes of a new signing key (the spec asks for 24 to 64). */
const SECRET_BYTES = 32;

/** A new endpoint secret, shown once to the operator (at creation or rotation), never again. */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** How long a rotated-out secret keeps signing beside the new one, so a receiver can switch without a gap. */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 3600_000;

/** One signature (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`) with one secret. */
export function webhookSignature(secret: string, webhookId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The `webhook-signature` header: one signature per live secret, space-separated (the spec's way of
 * rotating: a receiver accepts the message when any one of them verifies with its secret).
 */
export function webhookSignatureHeader(
  secrets: readonly string[],
  webhookId: string,
  timestamp: number,
  body: string,
): string {
  return secrets.map((secret) => webhookSignature(secret, webhookId, timestamp, body)).join(' ');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The `webhook-id` of one event for one endpoint: `msg_` + the event's time (10 characters, as a ULID
 * starts) + 16 characters of SHA-256 over (endpoint, event). Derived, never drawn: the fan-out, a repeat
 * of the event (EventBridge delivers at least once), every retry and a manual redelivery name the same
 * message, so the receiver deduplicates on it. The time prefix makes an endpoint's deliveries list in
 * event order.
 */
export function webhookIdOf(endpointId: string, eventId: string, occurredAt: string): string {
  let time = Math.max(0, new Date(occurredAt).getTime());
  let prefix = '';
  for (let index = 0; index < 10; index += 1) {
    prefix = CROCKFORD[time % 32] + prefix;
    time = Math.floor(time / 32);
  }
  const digest = createHash('sha256').update(`${endpointId}\u0000${eventId}`).digest();
  let suffix = '';
  for (let index = 0; index < 16; index += 1) suffix += CROCKFORD[(digest[index] ?? 0) % 32];
  return `msg_${prefix}${suffix}`;
}

/** How long a delivery is retried after its first failure before the endpoint is disabled. */
export const WEBHOOK_RETRY_WINDOW_MS = 3 * 24 * 3600_000;

/** Waits after the 1st, 2nd… consecutive failure; the last repeats until the window is over. */
export const WEBHOOK_BACKOFF_MS = [30_000, 120_000, 600_000, 3_600_000, 6 * 3_600_000] as const;

/**
 * When to try again after a failure: `failures` consecutive failures so far (this one included), the
 * first of them at `failingSince`. Exponential at first (30 s, 2 min, 10 min, 1 h), then every 6 hours,
 * the last try exactly at the end of the 3 days; undefined once the window is over (give up: disable).
 */
export function nextWebhookAttempt(failures: number, failingSince: Date, now: Date): Date | undefined {
  const end = failingSince.getTime() + WEBHOOK_RETRY_WINDOW_MS;
  if (now.getTime() >= end) return undefined;
  const wait = WEBHOOK_BACKOFF_MS[Math.min(Math.max(failures, 1), WEBHOOK_BACKOFF_MS.length) - 1] ?? 0;
  return new Date(Math.min(now.getTime() + wait, end));
}

/**
 * Which targets a delivery may reach besides the public internet. `loopback` lets the local stack and the
 * tests reach a receiver on 127.0.0.1 (over plain HTTP too); it is never set in a deployed stack (a test
 * in test/infra proves it).
 */
export type PrivateTargetAllowance = 'none' | 'loopback';

/** What kind of address an IP is, for server-side request forgery checks. */
export type AddressKind = 'public' | 'loopback' | 'private';

const ipv4Ranges: ReadonlyArray<readonly [string, number, AddressKind]> = [
  ['0.0.0.0', 8, 'private'], // "this network"
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'private'], // link-local, incl. the cloud metadata 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'private'], // IETF protocol assignments
  ['192.0.2.0', 24, 'private'], // documentation
  ['192.88.99.0', 24, 'private'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'private'], // benchmarking
  ['198.51.100.0', 24, 'private'],
  ['203.0.113.0', 24, 'private'],
  ['224.0.0.0', 4, 'private'], // multicast
  ['240.0.0.0', 4, 'private'], // reserved, broadcast
];

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function ipv4Kind(value: number): AddressKind {
  for (const [base, bits, kind] of ipv4Ranges) {
    const size = 2 ** (32 - bits);
    const start = ipv4Number(base);
    if (value >= start && value < start + size) return kind;
  }
  return 'public';
}

/** The 16 bytes of an IPv6 address (any textual form, incl. a dotted IPv4 tail); undefined if not one. */
function ipv6Bytes(address: string): number[] | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(bare)) return undefined;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const value = ipv4Number(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

function ipv6Kind(bytes: readonly number[]): AddressKind {
  const word = (index: number) => ((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0);
  const embeddedV4 = (at: number) =>
    (((bytes[at] ?? 0) << 24) >>> 0) +
    ((bytes[at + 1] ?? 0) << 16) +
    ((bytes[at + 2] ?? 0) << 8) +
    (bytes[at + 3] ?? 0);
  const zeroUpTo = (end: number) => bytes.slice(0, end).every((byte) => byte === 0);
  if (zeroUpTo(15) && bytes[15] === 1) return 'loopback'; // ::1
  if (zeroUpTo(10) && word(10) === 0xffff) return ipv4Kind(embeddedV4(12)); // IPv4-mapped ::ffff:a.b.c.d
  if (zeroUpTo(12)) return 'private'; // :: and the deprecated IPv4-compatible ::a.b.c.d
  if (
    word(0) === 0x64 &&
    word(2) === 0xff9b &&
    zeroUpTo(0) &&
    word(4) === 0 &&
    word(6) === 0 &&
    word(8) === 0 &&
    word(10) === 0
  ) {
    return ipv4Kind(embeddedV4(12)) === 'public' ? 'public' : 'private'; // NAT64 64:ff9b::/96
  }
  if (word(0) === 0x64 && word(2) === 0xff9b) return 'private'; // 64:ff9b:1::/48, local NAT64
  if (word(0) === 0x0100 && word(2) === 0 && word(4) === 0 && word(6) === 0) return 'private'; // discard 100::/64
  if (word(0) === 0x2001 && word(2) < 0x0200) return 'private'; // 2001::/23 (Teredo, ORCHID…)
  if (word(0) === 0x2001 && word(2) === 0x0db8) return 'private'; // documentation
  if (word(0) === 0x2002) return ipv4Kind(embeddedV4(2)) === 'public' ? 'public' : 'private'; // 6to4
  const first = bytes[0] ?? 0;
  if ((first & 0xfe) === 0xfc) return 'private'; // unique local fc00::/7 (incl. AWS's fd00:ec2::254)
  if (first === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80) return 'private'; // link-local fe80::/10
  if (first === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0xc0) return 'private'; // site-local fec0::/10
  if (first === 0xff) return 'private'; // multicast
  return 'public';
}

/** The kind of an IP address (IPv4, IPv6 in any form, bracketed or not); undefined when not an IP. */
export function addressKind(address: string): AddressKind | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return ipv4Kind(ipv4Number(bare));
  const bytes = ipv6Bytes(bare);
  return bytes ? ipv6Kind(bytes) : undefined;
}

/** Whether a delivery may connect to this resolved address under the allowance. */
export function mayConnectTo(address: string, allowance: PrivateTargetAllowance): boolean {
  const kind = addressKind(address);
  return kind === 'public' || (kind === 'loopback' && allowance === 'loopback');
}

/** Longest endpoint URL accepted. */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** A URL that passed the syntactic checks: the host still has to resolve to public addresses only. */
export interface CheckedWebhookUrl {
  url: string;
  /** The host to resolve; undefined when it is an IP literal the allowance lets through. */
  hostToResolve?: string;
}

/**
 * The syntactic checks of an endpoint URL: HTTPS, no credentials, a host name (not an IP literal, in any
 * of the forms URL parsing normalises: `0x7f.1`, `2130706433`, `[::ffff:7f00:1]`…), not too long. Returns
 * the reason it is refused, or the host to resolve next. With the loopback allowance, `http:` and a
 * loopback IP are accepted too (the local receiver).
 */
export function checkWebhookUrl(
  raw: string,
  allowance: PrivateTargetAllowance,
): { ok: true; checked: CheckedWebhookUrl } | { ok: false; reason: string } {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) {
    return { ok: false, reason: `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.username || url.password)
    return { ok: false, reason: 'must not carry credentials (user:password@)' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = addressKind(host);
  const loopbackAllowed = allowance === 'loopback';
  const loopbackHost = literal === 'loopback' || host === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed && loopbackHost)) {
    return { ok: false, reason: 'must be an https:// URL' };
  }
  if (literal !== undefined) {
    if (literal === 'loopback' && loopbackAllowed) return { ok: true, checked: { url: url.href } };
    return { ok: false, reason: 'must name a host, not an IP address' };
  }
  if (host === '' || (!host.includes('.') && !(loopbackAllowed && host === 'localhost'))) {
    return { ok: false, reason: 'must name a fully qualified host' };
  }
  return { ok: true, checked: { url: url.href, hostToResolve: host } };
}
