import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type {
  BuyerRecord,
  BuyerTokenRecord,
  MembershipRecord,
  SessionRecord,
  SignInChallenge,
} from '../../../core/domain/buyers.js';
import type { BuyerAuditEntry } from '../../../core/ports/buyers.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/** Buyers, their memberships, sign-in challenges, sessions, tokens and audit entries. */

export const BuyerEntity = defineEntity({
  name: 'Buyer',
  key: keys.buyer,
  schema: () =>
    z.object({
      buyerId: z.string(),
      email: z.string(),
      name: z.string(),
      language: z.enum(['fr', 'en']),
      createdAt: z.string(),
    }) satisfies z.ZodMiniType<BuyerRecord>,
});

export const BuyerEmailEntity = defineEntity({
  name: 'BuyerEmail',
  key: keys.buyerEmail,
  schema: () => z.object({ buyerId: z.string() }),
});

const membershipSchema = () =>
  z.object({
    buyerId: z.string(),
    accountId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'admin']),
    invitedAt: z.string(),
    invitedBy: z.string(),
  }) satisfies z.ZodMiniType<MembershipRecord>;

/** In the buyer's partition (its accounts). */
export const BuyerMembershipEntity = defineEntity({
  name: 'BuyerMembership',
  key: keys.buyerMembership,
  schema: membershipSchema,
});

/** In the account's partition (its buyers). */
export const AccountMemberEntity = defineEntity({
  name: 'AccountMember',
  key: keys.accountMember,
  schema: membershipSchema,
});

export const BuyerAuditEntity = defineEntity({
  name: 'BuyerAudit',
  key: keys.audit,
  schema: () =>
    z.object({
      action: z.enum([
        'buyer_invited',
        'buyer_removed',
        'buyer_token_created',
        'buyer_token_revoked',
        'buyer_signed_in',
        'buyer_signed_out',
      ]),
      at: z.string(),
      actor: z.string(),
      subject: z.string(),
      accountId: z.optional(z.string()),
      detail: z.optional(z.string()),
    }) satisfies z.ZodMiniType<BuyerAuditEntry>,
});

export const SignInChallengeEntity = defineEntity({
  name: 'SignInChallenge',
  key: keys.signInChallenge,
  schema: () =>
    z.object({
      challengeId: z.string(),
      buyerId: z.string(),
      emailKey: z.string(),
      codeHash: z.string(),
      linkHash: z.string(),
      validUntil: z.string(),
      attempts: z.number(),
    }) satisfies z.ZodMiniType<SignInChallenge>,
});

export const SignInLinkEntity = defineEntity({
  name: 'SignInLink',
  key: keys.signInLink,
  schema: () => z.object({ emailKey: z.string(), validUntil: z.string() }),
});

export const BuyerSessionEntity = defineEntity({
  name: 'BuyerSession',
  key: keys.buyerSession,
  schema: () =>
    z.object({
      sessionId: z.string(),
      buyerId: z.string(),
      createdAt: z.string(),
      idleExpiresAt: z.string(),
      absoluteExpiresAt: z.string(),
    }) satisfies z.ZodMiniType<SessionRecord>,
});

const buyerTokenSchema = () =>
  z.object({
    tokenId: z.string(),
    tokenHash: z.string(),
    accountId: z.string(),
    name: z.string(),
    createdBy: z.string(),
    status: z.enum(['active', 'revoked']),
    lastFour: z.string(),
    createdAt: z.string(),
    revokedAt: z.optional(z.string()),
  }) satisfies z.ZodMiniType<BuyerTokenRecord>;

/** A token by its hash: what the authorizer reads. */
export const BuyerTokenEntity = defineEntity({
  name: 'BuyerToken',
  key: keys.buyerToken,
  schema: buyerTokenSchema,
});

/** The same token under its account. */
export const AccountBuyerTokenEntity = defineEntity({
  name: 'AccountBuyerToken',
  key: keys.accountBuyerToken,
  schema: buyerTokenSchema,
});
