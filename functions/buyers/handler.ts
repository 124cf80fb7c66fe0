import { buyerAccessDeps, inContainer } from '../../shared/composition/root.js';
import { BUYERS_ROUTES } from '../../shared/contracts/http/routes/buyers.js';
import {
  clearedSessionCookie,
  SESSION_ABSOLUTE_MS,
  sessionCookie,
  sessionSecretOf,
} from '../../shared/core/domain/buyers.js';
import { forbidden } from '../../shared/core/errors.js';
import {
  closeSession,
  createBuyerToken,
  describeSession,
  inviteBuyer,
  listBuyers,
  listBuyerTokens,
  openSession,
  removeBuyer,
  requestSignIn,
  requireBuyerAdmin,
  revokeBuyerToken,
} from '../../shared/core/usecases/buyers.js';
import { type ApiEvent, apiHandler } from '../commons/api-handler.js';
import { logger } from '../commons/logger.js';

const services = inContainer((base) =>
  buyerAccessDeps(base, (what, error) => logger.error('buyer email not sent', { what, error })),
);

/** The caller's IP as API Gateway saw it (the sign-in limits count per client). */
const clientIpOf = (event: ApiEvent) => event.requestContext.http?.sourceIp ?? 'unknown';
const sessionSecretOfEvent = (event: ApiEvent) =>
  sessionSecretOf(event.cookies ?? (event.headers?.cookie ? [event.headers.cookie] : undefined));

/** Buyers: invitations (operators, buyer admins), sign-in and sessions, buyer API tokens. */
export const handler = apiHandler(BUYERS_ROUTES, {
  inviteBuyer: async ({ pathParameters, body, principal }) => {
    const accountId = pathParameters.accountId as string;
    const invited = await inviteBuyer(services(), accountId, body, principal.keyId);
    return { body: invited, headers: { location: `/v1/accounts/${accountId}/buyers/${invited.buyerId}` } };
  },
  listBuyers: async ({ pathParameters }) => ({
    body: await listBuyers(services(), pathParameters.accountId as string),
  }),
  removeBuyer: async ({ pathParameters, principal }) => {
    await removeBuyer(
      services(),
      pathParameters.accountId as string,
      pathParameters.buyerId as string,
      principal.keyId,
    );
    return {};
  },
  requestBuyerSignIn: async ({ body, event }) => ({
    body: await requestSignIn(services(), { email: body.email, clientIp: clientIpOf(event) }),
  }),
  createBuyerSession: async ({ body, event }) => {
    const previousSecret = sessionSecretOfEvent(event);
    const opened = await openSession(services(), {
      ...body,
      clientIp: clientIpOf(event),
      ...(previousSecret ? { previousSecret } : {}),
    });
    const principal = {
      role: 'buyer' as const,
      keyId: opened.session.sessionId,
      buyerId: opened.session.buyerId,
      accountIds: (await services().buyers.membershipsOf(opened.session.buyerId)).map((m) => m.accountId),
      authenticatedBy: 'session' as const,
    };
    return {
      body: await describeSession(services(), principal, opened.secret),
      cookies: [sessionCookie(opened.secret, SESSION_ABSOLUTE_MS)],
      headers: { 'cache-control': 'no-store' },
    };
  },
  getBuyerSession: async ({ principal, event }) => ({
    body: await describeSession(services(), principal, sessionSecretOfEvent(event)),
    headers: { 'cache-control': 'no-store' },
  }),
  deleteBuyerSession: async ({ principal, event }) => {
    const secret = sessionSecretOfEvent(event);
    if (principal.authenticatedBy !== 'session' || !secret) {
      throw forbidden('Only a signed-in session can sign out; revoke a buyer token instead.');
    }
    await closeSession(services(), secret, principal);
    return { cookies: [clearedSessionCookie()] };
  },
  listColleagues: async ({ pathParameters, principal }) => {
    const accountId = pathParameters.accountId as string;
    await requireBuyerAdmin(services(), principal, accountId);
    return { body: await listBuyers(services(), accountId) };
  },
  inviteColleague: async ({ pathParameters, principal, body }) => {
    const accountId = pathParameters.accountId as string;
    const admin = await requireBuyerAdmin(services(), principal, accountId);
    const invited = await inviteBuyer(services(), accountId, body, admin);
    return {
      body: invited,
      headers: { location: `/v1/buyer/accounts/${accountId}/buyers/${invited.buyerId}` },
    };
  },
  removeColleague: async ({ pathParameters, principal }) => {
    const accountId = pathParameters.accountId as string;
    const admin = await requireBuyerAdmin(services(), principal, accountId);
    await removeBuyer(services(), accountId, pathParameters.buyerId as string, admin);
    return {};
  },
  listBuyerTokens: async ({ pathParameters, principal }) => {
    const accountId = pathParameters.accountId as string;
    await requireBuyerAdmin(services(), principal, accountId);
    return { body: await listBuyerTokens(services(), accountId) };
  },
  createBuyerToken: async ({ pathParameters, principal, body }) => {
    const accountId = pathParameters.accountId as string;
    const admin = await requireBuyerAdmin(services(), principal, accountId);
    return { body: await createBuyerToken(services(), accountId, body.name, admin) };
  },
  revokeBuyerToken: async ({ pathParameters, principal }) => {
    const accountId = pathParameters.accountId as string;
    const admin = await requireBuyerAdmin(services(), principal, accountId);
    await revokeBuyerToken(services(), accountId, pathParameters.tokenId as string, admin);
    return {};
  },
});
