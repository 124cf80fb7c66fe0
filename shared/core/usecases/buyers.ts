import { ulid } from 'ulid';
import type { InviteBuyerInput } from '../../contracts/schemas/buyer.js';
import {
  buildBuyerInvitationEmail,
  buildSignInEmail,
  type Notice,
} from '../../documents/email/buyer-access.js';
import { buyerMayRead, type Principal } from '../domain/api-keys.js';
import {
  type BuyerRecord,
  type BuyerTokenRecord,
  csrfTokenOf,
  emailKeyOf,
  hashSecret,
  hashSignInCode,
  ipKeyOf,
  MAX_CODE_ATTEMPTS,
  type MembershipRecord,
  newBuyerToken,
  newSecret,
  newSignInCode,
  normaliseEmail,
  rateWindowOf,
  SESSION_ABSOLUTE_MS,
  type SessionRecord,
  SIGN_IN_LIMITS,
  SIGN_IN_VALIDITY_MS,
  type SignInChallenge,
  slidIdleExpiry,
  ttlOf,
} from '../domain/buyers.js';
import { emailTags } from '../domain/email-tags.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { BuyerAuditEntry, BuyerStore, RateLimiter } from '../ports/buyers.js';
import type { Clock } from '../ports/clock.js';
import type { NoticeMailer } from '../ports/mailer.js';

export interface BuyerAccessDeps {
  buyers: BuyerStore;
  accounts: Pick<AccountStore, 'get'>;
  rateLimiter: RateLimiter;
  mailer: NoticeMailer;
  clock: Clock;
  /** The product's sender (`INVOICE_SENDER`) and where the portal signs in (`BUYER_PORTAL_URL`). */
  settings: { sender: string; portalUrl: string };
  /** Where failures to send are reported (the use case goes on: the answer must not tell). */
  onSendFailure?: (what: string, error: unknown) => void;
}

/** What the API shows of a membership. */
const memberView = (member: MembershipRecord) => ({
  buyerId: member.buyerId,
  accountId: member.accountId,
  email: member.email,
  name: member.name,
  role: member.role,
  invitedAt: member.invitedAt,
});

const tokenView = (token: BuyerTokenRecord) => ({
  tokenId: token.tokenId,
  accountId: token.accountId,
  name: token.name,
  status: token.status,
  createdAt: token.createdAt,
  ...(token.revokedAt ? { revokedAt: token.revokedAt } : {}),
  lastFour: token.lastFour,
});

// ---------------------------------------------------------------------------------------------------------
// Memberships: operators for any account, buyer admins for their own.

/**
 * Invites a person to an account: the person (by normalised email) is created on first invitation and
 * reused after, so one person may belong to several accounts. The invitation is recorded (audit) with the
 * membership, then emailed in the person's language; a failed email leaves the membership (reported).
 */
export async function inviteBuyer(
  deps: BuyerAccessDeps,
  accountId: string,
  input: InviteBuyerInput,
  invitedBy: string,
) {
  const account = await deps.accounts.get(accountId, { consistent: true });
  if (!account) throw notFound('account', accountId);
  const now = deps.clock.now().toISOString();
  const email = normaliseEmail(input.email);
  const emailKey = emailKeyOf(email);
  // Two attempts: a concurrent first invitation of the same email may create the person in between.
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await deps.buyers.findByEmailKey(emailKey);
    const buyer: BuyerRecord = existing ?? {
      buyerId: `byr_${ulid()}`,
      email,
      name: input.name,
      language: input.language,
      createdAt: now,
    };
    const membership: MembershipRecord = {
      buyerId: buyer.buyerId,
      accountId,
      email: buyer.email,
      name: input.name,
      role: input.role,
      invitedAt: now,
      invitedBy,
    };
    const audit: BuyerAuditEntry = {
      action: 'buyer_invited',
      at: now,
      actor: invitedBy,
      subject: buyer.buyerId,
      accountId,
      detail: input.role,
    };
    const added = await deps.buyers.addMembership(buyer, emailKey, membership, audit, !existing);
    if (added === 'email_taken') continue;
    if (added === 'already_member') {
      throw new DomainError(
        'buyer_already_member',
        409,
        'Conflict',
        `${email} already belongs to account ${accountId}.`,
        [{ field: 'email', reason: 'already belongs to this account' }],
      );
    }
    const invitationEmail = await send(
      deps,
      `invitation of ${buyer.buyerId}`,
      () =>
        buildBuyerInvitationEmail({
          to: buyer.email,
          name: input.name,
          accountName: account.legalName,
          role: input.role,
          language: buyer.language,
          portalUrl: deps.settings.portalUrl,
        }),
      buyer.email,
    );
    return { ...memberView(membership), invitationEmail };
  }
  throw new Error(`Buyer ${email} was being created concurrently; retry`);
}

export async function listBuyers(deps: BuyerAccessDeps, accountId: string) {
  if (!(await deps.accounts.get(accountId))) throw notFound('account', accountId);
  return { items: (await deps.buyers.membersOf(accountId)).map(memberView) };
}

/** Removes a person from an account (recorded); their sessions lose the account at their next call. */
export async function removeBuyer(
  deps: BuyerAccessDeps,
  accountId: string,
  buyerId: string,
  removedBy: string,
) {
  const removed = await deps.buyers.removeMembership(accountId, buyerId, {
    action: 'buyer_removed',
    at: deps.clock.now().toISOString(),
    actor: removedBy,
    subject: buyerId,
    accountId,
  });
  if (!removed) throw notFound('buyer', buyerId);
}

/**
 * What a buyer admin may do for `accountId`: a signed-in person (never a token) with the admin role
 * there. An account the principal does not belong to is a 404, as if it did not exist (invariant 8).
 */
export async function requireBuyerAdmin(deps: BuyerAccessDeps, principal: Principal, accountId: string) {
  if (!buyerMayRead(principal, accountId) || !principal.buyerId) {
    throw notFound('account', accountId);
  }
  if (principal.authenticatedBy !== 'session') {
    throw forbidden('A buyer API token only reads; sign in to manage the account.');
  }
  const membership = await deps.buyers.getMembership(accountId, principal.buyerId);
  if (!membership) throw notFound('account', accountId);
  if (membership.role !== 'admin') throw forbidden('Only a buyer admin of the account may do this.');
  return principal.buyerId;
}

// ---------------------------------------------------------------------------------------------------------
// Buyer API tokens.

export async function createBuyerToken(
  deps: BuyerAccessDeps,
  accountId: string,
  name: string,
  createdBy: string,
) {
  const token = newBuyerToken();
  const now = deps.clock.now().toISOString();
  const record: BuyerTokenRecord = {
    tokenId: `btk_${ulid()}`,
    tokenHash: hashSecret(token),
    accountId,
    name,
    createdBy,
    status: 'active',
    lastFour: token.slice(-4),
    createdAt: now,
  };
  await deps.buyers.putToken(record, {
    action: 'buyer_token_created',
    at: now,
    actor: createdBy,
    subject: record.tokenId,
    accountId,
  });
  return { ...tokenView(record), token };
}

export async function listBuyerTokens(deps: BuyerAccessDeps, accountId: string) {
  return { items: (await deps.buyers.tokensOf(accountId)).map(tokenView) };
}

export async function revokeBuyerToken(
  deps: BuyerAccessDeps,
  accountId: string,
  tokenId: string,
  revokedBy: string,
) {
  const at = deps.clock.now().toISOString();
  const revoked = await deps.buyers.revokeToken(accountId, tokenId, at, {
    action: 'buyer_token_revoked',
    at,
    actor: revokedBy,
    subject: tokenId,
    accountId,
  });
  if (!revoked) throw notFound('buyer_token', tokenId);
}

// ---------------------------------------------------------------------------------------------------------
// Sign-in.

/** Too many sign-in requests: 429 with the seconds to wait. */
const tooManyRequests = (retryAfterSeconds: number, field: string) =>
  new DomainError(
    'too_many_requests',
    429,
    'Too many requests',
    `Too many sign-in attempts; retry in ${retryAfterSeconds} seconds.`,
    [{ field, reason: 'too many sign-in attempts in this window' }],
    { retryAfterSeconds },
  );

/** The answer to every sign-in request, known email or not: nothing to enumerate. */
export const SIGN_IN_ACCEPTED = {
  message: 'If this address belongs to a buyer, a sign-in link and code are on their way.',
} as const;

/**
 * A sign-in request: limited per email and per client IP (fixed windows; a refused request is a 429 for
 * any email, known or not), then, for a known buyer only, a new challenge (replacing any pending one)
 * and its email. Always the same answer otherwise.
 */
export async function requestSignIn(deps: BuyerAccessDeps, input: { email: string; clientIp: string }) {
  const now = deps.clock.now();
  const window = rateWindowOf(now, SIGN_IN_LIMITS.windowMs);
  const ttl = ttlOf(window.endsAt);
  const emailKey = emailKeyOf(input.email);
  if (
    !(await deps.rateLimiter.hit(
      `SIGNINIP#${ipKeyOf(input.clientIp)}`,
      window.start,
      SIGN_IN_LIMITS.perIp,
      ttl,
    ))
  ) {
    throw tooManyRequests(window.retryAfterSeconds, '(client)');
  }
  if (!(await deps.rateLimiter.hit(`SIGNINEMAIL#${emailKey}`, window.start, SIGN_IN_LIMITS.perEmail, ttl))) {
    throw tooManyRequests(window.retryAfterSeconds, 'email');
  }
  const buyer = await deps.buyers.findByEmailKey(emailKey);
  if (!buyer) return SIGN_IN_ACCEPTED;
  const code = newSignInCode();
  const link = newSecret();
  const challengeId = ulid();
  const validUntil = new Date(now.getTime() + SIGN_IN_VALIDITY_MS).toISOString();
  const challenge: SignInChallenge = {
    challengeId,
    buyerId: buyer.buyerId,
    emailKey,
    codeHash: hashSignInCode(challengeId, code),
    linkHash: hashSecret(link),
    validUntil,
    attempts: 0,
  };
  await deps.buyers.putChallenge(challenge, ttlOf(validUntil));
  const url = new URL(deps.settings.portalUrl);
  url.searchParams.set('token', link);
  await send(
    deps,
    `sign-in of ${buyer.buyerId}`,
    () =>
      buildSignInEmail({
        to: buyer.email,
        code,
        linkUrl: url.href,
        language: buyer.language,
      }),
    buyer.email,
  );
  return SIGN_IN_ACCEPTED;
}

const signInFailed = () =>
  new DomainError(
    'sign_in_failed',
    401,
    'Unauthorized',
    'The code or link is wrong, expired or already used: ask for a new sign-in email.',
  );

/** A new session's secret (for the cookie) and its record. */
export interface OpenedSession {
  secret: string;
  session: SessionRecord;
  csrfToken: string;
}

/**
 * Redeems a sign-in by the email's code or the link's token: the challenge is consumed and a NEW session
 * opened in one transaction (a fresh secret at every sign-in; the session the caller came with, if any,
 * is deleted). Wrong, expired, reused: the same 401, nothing created; each wrong code counts, and a
 * challenge guessed at MAX_CODE_ATTEMPTS times is dead. Limited per client IP like requests.
 */
export async function openSession(
  deps: BuyerAccessDeps,
  input: ({ email: string; code: string } | { token: string }) & {
    clientIp: string;
    previousSecret?: string;
  },
): Promise<OpenedSession> {
  const now = deps.clock.now();
  const window = rateWindowOf(now, SIGN_IN_LIMITS.windowMs);
  if (
    !(await deps.rateLimiter.hit(
      `REDEEMIP#${ipKeyOf(input.clientIp)}`,
      window.start,
      SIGN_IN_LIMITS.redeemPerIp,
      ttlOf(window.endsAt),
    ))
  ) {
    throw tooManyRequests(window.retryAfterSeconds, '(client)');
  }
  const byCode = 'code' in input;
  const emailKey = byCode
    ? emailKeyOf(input.email)
    : await deps.buyers.emailKeyOfLink(hashSecret(input.token));
  const challenge = emailKey ? await deps.buyers.getChallenge(emailKey) : undefined;
  const nowIso = now.toISOString();
  if (!challenge || challenge.validUntil <= nowIso || challenge.attempts >= MAX_CODE_ATTEMPTS) {
    throw signInFailed();
  }
  const proven = byCode
    ? challenge.codeHash === hashSignInCode(challenge.challengeId, input.code)
    : challenge.linkHash === hashSecret(input.token);
  if (!proven) {
    if (byCode)
      await deps.buyers.countWrongCode(challenge.emailKey, challenge.challengeId, MAX_CODE_ATTEMPTS);
    throw signInFailed();
  }
  const secret = newSecret();
  const absoluteExpiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString();
  const session: SessionRecord = {
    sessionId: `bs_${ulid()}`,
    buyerId: challenge.buyerId,
    createdAt: nowIso,
    idleExpiresAt: slidIdleExpiry(now, absoluteExpiresAt),
    absoluteExpiresAt,
  };
  const redeemed = await deps.buyers.redeem(
    challenge,
    nowIso,
    MAX_CODE_ATTEMPTS,
    { record: session, secretHash: hashSecret(secret) },
    {
      action: 'buyer_signed_in',
      at: nowIso,
      actor: challenge.buyerId,
      subject: session.sessionId,
      detail: `${byCode ? 'code' : 'link'} from ${input.clientIp}`,
    },
  );
  if (!redeemed.ok) throw signInFailed();
  if (input.previousSecret) await deps.buyers.deleteSession(hashSecret(input.previousSecret));
  return { secret, session, csrfToken: csrfTokenOf(secret) };
}

/** Signs out: the session's item is deleted, so the next call with its cookie is refused (recorded). */
export async function closeSession(deps: BuyerAccessDeps, secret: string, principal: Principal) {
  await deps.buyers.deleteSession(hashSecret(secret), {
    action: 'buyer_signed_out',
    at: deps.clock.now().toISOString(),
    actor: principal.buyerId ?? principal.keyId,
    subject: principal.keyId,
  });
}

/**
 * Who is calling and what they may read: the person, their accounts with names and roles (a token: its
 * one account), and for a session its CSRF token and expiries.
 */
export async function describeSession(
  deps: BuyerAccessDeps,
  principal: Principal,
  sessionSecret: string | undefined,
) {
  if (principal.role !== 'buyer' || !principal.buyerId) throw forbidden('Only a buyer has a session.');
  const buyer = await deps.buyers.get(principal.buyerId);
  if (!buyer) throw notFound('buyer', principal.buyerId);
  const allowed = new Set(principal.accountIds ?? []);
  // A token reads its one account; a person, the accounts it belongs to now (as the authorizer read them).
  const roles: ReadonlyArray<{ accountId: string; role: 'viewer' | 'admin' }> =
    principal.authenticatedBy === 'token'
      ? [...allowed].map((accountId) => ({ accountId, role: 'viewer' as const }))
      : (await deps.buyers.membershipsOf(buyer.buyerId)).filter((m) => allowed.has(m.accountId));
  const accounts = await Promise.all(
    roles.map(async ({ accountId, role }) => ({
      accountId,
      name: (await deps.accounts.get(accountId))?.legalName ?? accountId,
      role,
    })),
  );
  const session =
    principal.authenticatedBy === 'session' && sessionSecret
      ? await deps.buyers.getSession(hashSecret(sessionSecret))
      : undefined;
  return {
    buyer: { buyerId: buyer.buyerId, email: buyer.email, name: buyer.name, language: buyer.language },
    authenticatedBy: principal.authenticatedBy ?? 'session',
    accounts,
    ...(session && sessionSecret
      ? {
          csrfToken: csrfTokenOf(sessionSecret),
          idleExpiresAt: session.idleExpiresAt,
          absoluteExpiresAt: session.absoluteExpiresAt,
        }
      : {}),
  };
}

/**
 * Sends a built email; a failure is reported and answered as `failed`, never thrown: a sign-in's answer
 * must not depend on it, and an invitation stands without its email.
 */
async function send(
  deps: BuyerAccessDeps,
  what: string,
  build: () => Notice,
  to: string,
): Promise<'sent' | 'failed'> {
  try {
    // Tagged as a notice (its kind before " of "), so its feedback is recognised and not looked for on a document.
    const notice = what.split(' of ')[0]?.replace(/[^a-z-]/gi, '-') ?? 'notice';
    await deps.mailer.sendNotice({
      ...build(),
      from: deps.settings.sender,
      to: [to],
      tags: emailTags({ kind: 'buyer-notice', notice }),
    });
    return 'sent';
  } catch (error) {
    deps.onSendFailure?.(what, error);
    return 'failed';
  }
}
