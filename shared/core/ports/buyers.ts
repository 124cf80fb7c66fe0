import type {
  BuyerRecord,
  BuyerTokenRecord,
  MembershipRecord,
  SessionRecord,
  SignInChallenge,
} from '../domain/buyers.js';

/** Something a buyer did or had done to them, kept (invitations, removals, tokens, sign-ins). */
export interface BuyerAuditEntry {
  action:
    | 'buyer_invited'
    | 'buyer_removed'
    | 'buyer_token_created'
    | 'buyer_token_revoked'
    | 'buyer_signed_in'
    | 'buyer_signed_out';
  at: string;
  /** Who did it: an operator key id, a buyer id. */
  actor: string;
  /** Whom or what it was about: a buyer id, a token id. */
  subject: string;
  accountId?: string;
  /** How (a sign-in: `code` or `link`), from where (client IP). */
  detail?: string;
}

/** What a sign-in challenge's redemption found. */
export type Redemption =
  | { ok: true; session: SessionRecord }
  /** No live challenge (unknown, used, replaced, expired), a wrong code, or a race lost: all the same 401. */
  | { ok: false };

/** Buyers, their memberships, sign-in challenges, sessions and tokens: the people side of the portal. */
export interface BuyerStore {
  findByEmailKey(emailKey: string): Promise<BuyerRecord | undefined>;
  get(buyerId: string): Promise<BuyerRecord | undefined>;
  /**
   * Adds a membership (and the person, when `newBuyer`), with its audit entry, all or nothing:
   * `already_member` when the person belongs to the account already, `email_taken` when a new person's
   * email was taken meanwhile (a concurrent first invitation: read again and retry).
   */
  addMembership(
    buyer: BuyerRecord,
    emailKey: string,
    membership: MembershipRecord,
    audit: BuyerAuditEntry,
    newBuyer: boolean,
  ): Promise<'added' | 'already_member' | 'email_taken'>;
  /** Removes a membership with its audit entry; false when there was none. */
  removeMembership(accountId: string, buyerId: string, audit: BuyerAuditEntry): Promise<boolean>;
  membershipsOf(buyerId: string): Promise<MembershipRecord[]>;
  membersOf(accountId: string): Promise<MembershipRecord[]>;
  getMembership(accountId: string, buyerId: string): Promise<MembershipRecord | undefined>;

  /** Replaces the email's pending challenge (a new request makes the old link and code useless). */
  putChallenge(challenge: SignInChallenge, ttlEpochSeconds: number): Promise<void>;
  getChallenge(emailKey: string): Promise<SignInChallenge | undefined>;
  /** The email key a link token leads to (undefined: none or expired). */
  emailKeyOfLink(linkHash: string): Promise<string | undefined>;
  /** One wrong code more, while the challenge is the same and below the limit; false otherwise. */
  countWrongCode(emailKey: string, challengeId: string, maxAttempts: number): Promise<boolean>;
  /**
   * Consumes the challenge (deleted, conditioned on being the one read, unexpired, below the attempts
   * limit) and opens the session with its audit entry, in one transaction: single use even under a race.
   */
  redeem(
    challenge: SignInChallenge,
    now: string,
    maxAttempts: number,
    session: { record: SessionRecord; secretHash: string },
    audit: BuyerAuditEntry,
  ): Promise<Redemption>;

  /**
   * The session of a cookie, if alive at `now`, its idle expiry pushed to `idleExpiresAt` by the same
   * conditional write (one request: alive and touched, or refused).
   */
  touchSession(secretHash: string, now: string, idleExpiresAt: string): Promise<SessionRecord | undefined>;
  /** The session, alive or not (for reading its details). */
  getSession(secretHash: string): Promise<SessionRecord | undefined>;
  /** Deletes a session (sign-out, rotation), with its audit entry when given. */
  deleteSession(secretHash: string, audit?: BuyerAuditEntry): Promise<void>;

  putToken(record: BuyerTokenRecord, audit: BuyerAuditEntry): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<BuyerTokenRecord | undefined>;
  tokensOf(accountId: string): Promise<BuyerTokenRecord[]>;
  /** Revokes a token of the account; undefined when the account has no such token. */
  revokeToken(
    accountId: string,
    tokenId: string,
    at: string,
    audit: BuyerAuditEntry,
  ): Promise<BuyerTokenRecord | undefined>;
}

/** Fixed-window counters (sign-in requests per email and per client). */
export interface RateLimiter {
  /**
   * Counts one hit of `subject` in the window starting `windowStart`; false when `limit` hits were
   * already counted there (nothing is counted then).
   */
  hit(subject: string, windowStart: string, limit: number, ttlEpochSeconds: number): Promise<boolean>;
}
