import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Buyers: the people of a buyer company who read its account (the portal, the buyer API). A person is
 * known by a normalised email and may belong to several accounts, each membership with its role. Pure:
 * the rules and the secrets' shapes; the stores and the HTTP edge are elsewhere.
 */

export type BuyerRole = 'viewer' | 'admin';
export type BuyerLanguage = 'fr' | 'en';

/** A person, once per normalised email. */
export interface BuyerRecord {
  buyerId: string;
  email: string;
  name: string;
  language: BuyerLanguage;
  createdAt: string;
}

/** A person's place in one account. */
export interface MembershipRecord {
  buyerId: string;
  accountId: string;
  email: string;
  name: string;
  role: BuyerRole;
  invitedAt: string;
  /** Who invited: an operator key id, or the inviting buyer's id. */
  invitedBy: string;
}

/** A signed-in session, stored under the hash of its cookie's secret (the secret itself is never kept). */
export interface SessionRecord {
  /** Public id (`bs_…`): logs and the principal's keyId; never the secret. */
  sessionId: string;
  buyerId: string;
  createdAt: string;
  /** Inactivity limit, pushed forward by each authenticated call. */
  idleExpiresAt: string;
  /** The hard limit, whatever the activity. */
  absoluteExpiresAt: string;
}

/** A pending sign-in: one per email (a new request replaces it), redeemed at most once. */
export interface SignInChallenge {
  challengeId: string;
  buyerId: string;
  emailKey: string;
  codeHash: string;
  linkHash: string;
  validUntil: string;
  /** Wrong codes tried so far; at MAX_CODE_ATTEMPTS the challenge is dead. */
  attempts: number;
}

/** A buyer API token (`bt_…`) for one account, stored by hash like API keys. */
export interface BuyerTokenRecord {
  tokenId: string;
  tokenHash: string;
  accountId: string;
  name: string;
  createdBy: string;
  status: 'active' | 'revoked';
  lastFour: string;
  createdAt: string;
  revokedAt?: string;
}

/** What a sign-in's link and code are worth: 15 minutes, once. */
export const SIGN_IN_VALIDITY_MS = 15 * 60_000;
/** Wrong codes a challenge survives: 5 guesses out of a million, then a new email is needed. */
export const MAX_CODE_ATTEMPTS = 5;
/** A session dies after 30 minutes without a call, and after 12 hours whatever happens. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/**
 * Sign-in requests allowed per window: per email (so nobody floods a mailbox) and per client IP (so
 * nobody walks a list of addresses); redemptions per IP bound code guessing across emails.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  perEmail: 5,
  perIp: 30,
  redeemPerIp: 30,
} as const;

/** The session cookie: `__Host-` so the browser only accepts it Secure, on Path=/, without Domain. */
export const SESSION_COOKIE = '__Host-buyer_session';
/** The header that proves a cookie-authenticated, state-changing call comes from our own pages. */
export const CSRF_HEADER = 'x-csrf-token';

/** The one spelling of an email: trimmed and lower-cased (the domain is case-insensitive, and so in practice is the rest). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Where an email is a key (lookups, counters): its hash, so keys carry no address. */
export const emailKeyOf = (email: string): string => sha256(`email:${normaliseEmail(email)}`);

/** A client IP as a counter's subject. */
export const ipKeyOf = (ip: string): string => sha256(`ip:${ip}`);

/** A 256-bit secret, base64url: session cookies and sign-in links. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of a high-entropy secret (cookie, link, token): enough, as for API keys. */
export const hashSecret = (secret: string): string => sha256(`secret:${secret}`);

/** Six digits, uniform. */
export const newSignInCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * A code's hash, salted with its challenge: six digits cannot be protected by a hash alone, but the
 * challenge lives 15 minutes, allows 5 tries, and a leaked table shows no reusable value.
 */
export const hashSignInCode = (challengeId: string, code: string): string =>
  sha256(`code:${challengeId}:${code}`);

/** A new buyer API token: `bt_` and 32 random bytes. */
export const newBuyerToken = (): string => `bt_${randomBytes(32).toString('base64url')}`;

export const isBuyerToken = (token: string): boolean => token.startsWith('bt_');

/**
 * The CSRF token of a session: derived from the cookie's secret, so it is bound to that session, costs no
 * storage, and can be answered again by `GET /v1/buyer/session` to whoever holds the cookie.
 */
export const csrfTokenOf = (sessionSecret: string): string =>
  createHash('sha256').update(`csrf:${sessionSecret}`, 'utf8').digest('base64url');

/** Whether a header carries the session's CSRF token (constant time). */
export function csrfTokenMatches(sessionSecret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(csrfTokenOf(sessionSecret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Methods that change nothing, so a cookie alone may authenticate them. */
export const isSafeMethod = (method: string): boolean => ['GET', 'HEAD', 'OPTIONS'].includes(method);

/** The session secret from a request's cookies (`name=value` strings, as API Gateway v2 passes them). */
export function sessionSecretOf(cookies: readonly string[] | undefined): string | undefined {
  for (const cookie of cookies ?? []) {
    for (const part of cookie.split(';')) {
      const at = part.indexOf('=');
      if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) {
        const value = part.slice(at + 1).trim();
        return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
      }
    }
  }
  return undefined;
}

/** The Set-Cookie of a new session: HttpOnly, Secure, SameSite=Lax, Path=/, until its absolute expiry. */
export const sessionCookie = (secret: string, maxAgeMs: number): string =>
  `${SESSION_COOKIE}=${secret}; Path=/; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; Secure; SameSite=Lax`;

/** The Set-Cookie that removes the session cookie (sign-out). */
export const clearedSessionCookie = (): string =>
  `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;

/** The idle expiry of a session opened at `now`, never past its absolute one. */
export function slidIdleExpiry(now: Date, absoluteExpiresAt: string): string {
  const idle = new Date(now.getTime() + SESSION_IDLE_MS).toISOString();
  return idle < absoluteExpiresAt ? idle : absoluteExpiresAt;
}

/** DynamoDB TTL (epoch seconds) of an ISO instant. */
export const ttlOf = (iso: string): number => Math.ceil(new Date(iso).getTime() / 1000);

/** The fixed window a rate-limit counter counts in, and the seconds left in it (Retry-After). */
export function rateWindowOf(
  now: Date,
  windowMs: number,
): { start: string; retryAfterSeconds: number; endsAt: string } {
  const startMs = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    start: new Date(startMs).toISOString(),
    endsAt: new Date(startMs + windowMs).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((startMs + windowMs - now.getTime()) / 1000)),
  };
}
