import * as z from 'zod/mini';
import '../zod-locale.js';
import { instantSchema, textSchema } from './common.js';
import { accountIdSchema, buyerIdSchema, buyerTokenIdSchema } from './ids.js';

/** Buyers of an account, their sign-in and sessions, and buyer API tokens. */

const buyerEmailSchema = () =>
  z
    .email('must be an email address')
    .check(z.maxLength(254))
    .register(z.globalRegistry, { example: 'achats@martin.example' });

export const inviteBuyerSchema = z
  .strictObject({
    email: buyerEmailSchema(),
    name: textSchema(1, 100).register(z.globalRegistry, { example: 'Claire Martin' }),
    language: z._default(z.enum(['fr', 'en']), 'fr'),
    role: z._default(z.enum(['viewer', 'admin']), 'viewer'),
  })
  .register(z.globalRegistry, { id: 'InviteBuyer' });
export type InviteBuyerInput = z.infer<typeof inviteBuyerSchema>;

export const buyerMemberSchema = /* @__PURE__ */ z
  .object({
    buyerId: buyerIdSchema,
    accountId: accountIdSchema,
    email: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'admin']),
    invitedAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'BuyerMember' });

export const invitedBuyerSchema = /* @__PURE__ */ z
  .extend(buyerMemberSchema, {
    invitationEmail: z.enum(['sent', 'failed']).register(z.globalRegistry, {
      description: 'Whether the invitation email left; the membership exists either way.',
    }),
  })
  .register(z.globalRegistry, { id: 'InvitedBuyer' });

export const signInRequestSchema = z
  .strictObject({ email: buyerEmailSchema() })
  .register(z.globalRegistry, { id: 'BuyerSignInRequest' });

/** A sign-in is redeemed by the email's code (with the email) or by the link's token. */
export const createSessionSchema = z
  .union([
    z.strictObject({
      email: buyerEmailSchema(),
      code: z.string().check(z.regex(/^\d{6}$/, 'must be the 6-digit code from the email')),
    }),
    z.strictObject({
      token: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token from the sign-in link')),
    }),
  ])
  .register(z.globalRegistry, { id: 'CreateBuyerSession' });

export const buyerSessionSchema = /* @__PURE__ */ z
  .object({
    buyer: z.object({
      buyerId: buyerIdSchema,
      email: z.string(),
      name: z.string(),
      language: z.enum(['fr', 'en']),
    }),
    authenticatedBy: z.enum(['session', 'token']),
    accounts: z.array(
      z.object({ accountId: accountIdSchema, name: z.string(), role: z.enum(['viewer', 'admin']) }),
    ),
    csrfToken: z.optional(z.string()).register(z.globalRegistry, {
      description:
        'A session only: send it as X-CSRF-Token on every state-changing call authenticated by the cookie.',
    }),
    idleExpiresAt: z.optional(instantSchema),
    absoluteExpiresAt: z.optional(instantSchema),
  })
  .register(z.globalRegistry, { id: 'BuyerSession' });

export const signInAcceptedSchema = /* @__PURE__ */ z
  .object({ message: z.string() })
  .register(z.globalRegistry, { id: 'BuyerSignInAccepted' });

export const createBuyerTokenSchema = z
  .strictObject({ name: textSchema(1, 100).register(z.globalRegistry, { example: 'ERP Martin' }) })
  .register(z.globalRegistry, { id: 'CreateBuyerToken' });

export const buyerTokenSummarySchema = /* @__PURE__ */ z
  .object({
    tokenId: buyerTokenIdSchema,
    accountId: accountIdSchema,
    name: z.string(),
    status: z.enum(['active', 'revoked']),
    createdAt: instantSchema,
    revokedAt: z.optional(instantSchema),
    lastFour: z.string(),
  })
  .register(z.globalRegistry, { id: 'BuyerTokenSummary' });

export const issuedBuyerTokenSchema = /* @__PURE__ */ z
  .extend(buyerTokenSummarySchema, {
    token: z
      .string()
      .register(z.globalRegistry, { description: 'The secret (`bt_…`); shown once, never again.' }),
  })
  .register(z.globalRegistry, { id: 'IssuedBuyerToken' });
