import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamo/table.js';
import {
  buyerMemberSchema,
  buyerSessionSchema,
  buyerTokenSummarySchema,
  issuedBuyerTokenSchema,
  signInAcceptedSchema,
} from '../../shared/contracts/schemas/buyer.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { SIGN_IN_LIMITS } from '../../shared/core/domain/buyers.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  auditOf,
  BuyerBrowser,
  emailsTo,
  givenInvitedBuyer,
  signInEmailFor,
  whenSigningInByCode,
} from '../support/buyers.js';
import { expectBody, expectProblem, givenAccount, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl).as(await issueOperatorKey());
});
afterAll(() => api.close());

const browser = () => new BuyerBrowser(api.baseUrl);

describe('invitation and sign-in by email', () => {
  it('invites a person (email in their language, recorded), who signs in with the code and reads their session', async () => {
    const account = await givenAccount(operator, { legalName: 'Boulangeries Martin SAS' });
    const since = new Date();
    const invited = await givenInvitedBuyer(operator, account.accountId, { language: 'en', role: 'admin' });
    expect(invited).toMatchObject({ accountId: account.accountId, role: 'admin', invitationEmail: 'sent' });
    const [invitation] = await emailsTo(invited.email, since);
    expect(invitation?.subject).toBe('Your access to account Boulangeries Martin SAS');
    expect((await auditOf(keys.accountPartition(account.accountId))).map((a) => a.action)).toEqual([
      'buyer_invited',
    ]);

    const buyer = browser();
    const signedIn = await whenSigningInByCode(buyer, invited.email);
    const session = expectBody(signedIn, 201, buyerSessionSchema);
    expect(session).toMatchObject({
      buyer: { buyerId: invited.buyerId, email: invited.email, language: 'en' },
      authenticatedBy: 'session',
      accounts: [{ accountId: account.accountId, name: 'Boulangeries Martin SAS', role: 'admin' }],
    });
    const cookie = buyer.lastSetCookies[0] ?? '';
    expect(cookie).toMatch(/^__Host-buyer_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Lax');
    expect(session.csrfToken).toBeTruthy();

    const again = expectBody(await buyer.get('/v1/buyer/session'), 200, buyerSessionSchema);
    expect(again.csrfToken).toBe(session.csrfToken);
    expect(again.accounts.map((a) => a.accountId)).toEqual([account.accountId]);
    const audit = await auditOf(keys.buyerPartition(invited.buyerId));
    expect(audit.map((a) => a.action)).toEqual(['buyer_signed_in']);
    expect(audit[0]?.detail).toBe(`code from ${buyer.clientIp}`);
  });

  it('signs in through the link, once: the same link again is refused', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    const buyer = browser();
    const since = new Date();
    expect((await buyer.post('/v1/buyer/sign-in', { email })).status).toBe(202);
    const { token, mail, text } = await signInEmailFor(email, since);
    expect(mail.subject).toMatch(/^Votre code de connexion : \d{6}$/);
    expect(text).toContain('valables 15 minutes');
    expect(text).toContain(`http://127.0.0.1:3000/portal/sign-in?token=${token}`);
    expectBody(await buyer.post('/v1/buyer/sessions', { token }), 201, buyerSessionSchema);
    expectProblem(await browser().post('/v1/buyer/sessions', { token }), 401, 'sign_in_failed');
  });

  it('signs out: the session is dead at once, its cookie cleared', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    const buyer = browser();
    await whenSigningInByCode(buyer, email);
    const stolen = buyer.session;
    const csrf = buyer.csrfToken;
    expect((await buyer.delete('/v1/buyer/session')).status).toBe(204);
    expect(buyer.lastSetCookies[0]).toMatch(/^__Host-buyer_session=; Path=\/; Max-Age=0/);
    // The old cookie, replayed at once (no authorizer cache on buyer routes): refused.
    const replay = browser();
    replay.session = stolen;
    replay.csrfToken = csrf;
    expectProblem(await replay.get('/v1/buyer/session'), 401, 'session_required');
    expectProblem(await replay.delete('/v1/buyer/session'), 401, 'session_required');
  });

  it('rotates the session at every sign-in: a fresh cookie, and the one the browser came with is dead', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    const buyer = browser();
    await whenSigningInByCode(buyer, email);
    const first = buyer.session;
    await whenSigningInByCode(buyer, email);
    expect(buyer.session).toBeTruthy();
    expect(buyer.session).not.toBe(first);
    expect((await buyer.get('/v1/buyer/session')).status).toBe(200);
    const old = browser();
    old.session = first;
    expectProblem(await old.get('/v1/buyer/session'), 401, 'session_required');
  });

  it('lists every account a person belongs to (a group buying for its sites)', async () => {
    const [north, south] = await Promise.all([givenAccount(operator), givenAccount(operator)]);
    const { email, buyerId } = await givenInvitedBuyer(operator, north.accountId);
    const second = await givenInvitedBuyer(operator, south.accountId, {
      email: email.toUpperCase(),
      role: 'admin',
    });
    expect(second.buyerId).toBe(buyerId);
    const buyer = browser();
    const session = expectBody(await whenSigningInByCode(buyer, email), 201, buyerSessionSchema);
    expect(session.accounts.map((a) => [a.accountId, a.role]).sort()).toEqual(
      [
        [north.accountId, 'viewer'],
        [south.accountId, 'admin'],
      ].sort(),
    );
    // The same person twice in one account is refused; the operator removes them from one account.
    const twice = await operator.post(`/v1/accounts/${north.accountId}/buyers`, { email, name: 'Claire' });
    expectProblem(twice, 409, 'buyer_already_member', ['email']);
    expect((await operator.delete(`/v1/accounts/${south.accountId}/buyers/${buyerId}`)).status).toBe(204);
    expectProblem(
      await operator.delete(`/v1/accounts/${south.accountId}/buyers/${buyerId}`),
      404,
      'buyer_not_found',
    );
    const after = expectBody(await buyer.get('/v1/buyer/session'), 200, buyerSessionSchema);
    expect(after.accounts.map((a) => a.accountId)).toEqual([north.accountId]);
    const listed = expectBody(
      await operator.get(`/v1/accounts/${south.accountId}/buyers`),
      200,
      pageSchema(buyerMemberSchema),
    );
    expect(listed.items).toEqual([]);
  });
});

describe('refused sign-ins create nothing', () => {
  it('answers an unknown email exactly as a known one, and sends nothing', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    const since = new Date();
    const unknownEmail = `nobody-${crypto.randomUUID().slice(0, 8)}@martin.example`;
    const known = await browser().post('/v1/buyer/sign-in', { email });
    const unknown = await browser().post('/v1/buyer/sign-in', { email: unknownEmail });
    expect(unknown.status).toBe(202);
    expect(unknown.text).toBe(known.text);
    expectBody(unknown, 202, signInAcceptedSchema);
    await signInEmailFor(email, since);
    expect(await emailsTo(unknownEmail, since)).toEqual([]);
  });

  it('refuses a wrong code, then the right code after five wrong ones, with 401 and no session', async () => {
    const account = await givenAccount(operator);
    const { email, buyerId } = await givenInvitedBuyer(operator, account.accountId);
    const buyer = browser();
    const since = new Date();
    await buyer.post('/v1/buyer/sign-in', { email });
    const { code } = await signInEmailFor(email, since);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let attempt = 0; attempt < 5; attempt++) {
      const refused = await buyer.post('/v1/buyer/sessions', { email, code: wrong });
      expectProblem(refused, 401, 'sign_in_failed');
      expect(buyer.lastSetCookies).toEqual([]);
    }
    expectProblem(await buyer.post('/v1/buyer/sessions', { email, code }), 401, 'sign_in_failed');
    expect(buyer.session).toBeUndefined();
    expect(await auditOf(keys.buyerPartition(buyerId))).toEqual([]);
  });

  it('refuses a code already used', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    const buyer = browser();
    const since = new Date();
    await buyer.post('/v1/buyer/sign-in', { email });
    const { code } = await signInEmailFor(email, since);
    expect((await buyer.post('/v1/buyer/sessions', { email, code })).status).toBe(201);
    const other = browser();
    expectProblem(await other.post('/v1/buyer/sessions', { email, code }), 401, 'sign_in_failed');
    expect(other.session).toBeUndefined();
  });

  it('limits sign-in requests per email with 429 and Retry-After', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId);
    for (let attempt = 0; attempt < SIGN_IN_LIMITS.perEmail; attempt++) {
      expect((await browser().post('/v1/buyer/sign-in', { email })).status).toBe(202);
    }
    const limited = await browser().post('/v1/buyer/sign-in', { email });
    expectProblem(limited, 429, 'too_many_requests', ['email']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMs / 1000);
    // The same for an unknown address: the limit tells nothing either.
    const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@martin.example`;
    const client = browser();
    for (let attempt = 0; attempt < SIGN_IN_LIMITS.perEmail; attempt++)
      await client.post('/v1/buyer/sign-in', { email: unknown });
    expectProblem(await client.post('/v1/buyer/sign-in', { email: unknown }), 429, 'too_many_requests');
  });

  it('limits sign-in requests per client IP, whatever the emails', async () => {
    const client = browser();
    for (let attempt = 0; attempt < SIGN_IN_LIMITS.perIp; attempt++) {
      const email = `walker-${attempt}-${crypto.randomUUID().slice(0, 8)}@martin.example`;
      expect((await client.post('/v1/buyer/sign-in', { email })).status).toBe(202);
    }
    const limited = await client.post('/v1/buyer/sign-in', { email: 'one-more@martin.example' });
    expectProblem(limited, 429, 'too_many_requests', ['(client)']);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await browser().post('/v1/buyer/sign-in', { email: 'one-more@martin.example' })).status).toBe(
      202,
    );
  });
});

describe('CSRF and isolation', () => {
  it('refuses a state-changing call by cookie without the X-CSRF-Token of the session (403)', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId, { role: 'admin' });
    const buyer = browser();
    await whenSigningInByCode(buyer, email);
    const tokens = `/v1/buyer/accounts/${account.accountId}/tokens`;
    expectProblem(
      await buyer.request('POST', tokens, { json: { name: 'ERP' }, withCsrf: false }),
      403,
      'csrf_token_invalid',
      ['X-CSRF-Token'],
    );
    expectProblem(
      await buyer.request('POST', tokens, {
        json: { name: 'ERP' },
        headers: { 'x-csrf-token': 'x'.repeat(43) },
      }),
      403,
      'csrf_token_invalid',
    );
    expectProblem(await buyer.delete('/v1/buyer/session', { withCsrf: false }), 403, 'csrf_token_invalid');
    // Nothing was created, and the session still works.
    const listed = expectBody(await buyer.get(tokens), 200, pageSchema(buyerTokenSummarySchema));
    expect(listed.items).toEqual([]);
    expect((await buyer.post(tokens, { name: 'ERP' })).status).toBe(201);
  });

  it("never lets a buyer's cookie reach another account", async () => {
    const [own, other] = await Promise.all([givenAccount(operator), givenAccount(operator)]);
    const { email } = await givenInvitedBuyer(operator, own.accountId, { role: 'admin' });
    await givenInvitedBuyer(operator, other.accountId, { role: 'admin' });
    const buyer = browser();
    const session = expectBody(await whenSigningInByCode(buyer, email), 201, buyerSessionSchema);
    expect(session.accounts.map((a) => a.accountId)).toEqual([own.accountId]);
    const base = `/v1/buyer/accounts/${other.accountId}`;
    expectProblem(await buyer.get(`${base}/buyers`), 404, 'account_not_found');
    expectProblem(await buyer.get(`${base}/tokens`), 404, 'account_not_found');
    expectProblem(await buyer.post(`${base}/tokens`, { name: 'Sneaky' }), 404, 'account_not_found');
    expectProblem(
      await buyer.post(`${base}/buyers`, { email: 'spy@evil.example', name: 'Spy' }),
      404,
      'account_not_found',
    );
    const members = await operator.get(`/v1/accounts/${other.accountId}/buyers`);
    expect((members.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it('lets a buyer admin invite and remove colleagues, not a viewer; a removed colleague loses the account at once', async () => {
    const account = await givenAccount(operator);
    const admin = await givenInvitedBuyer(operator, account.accountId, { role: 'admin' });
    const adminBrowser = browser();
    await whenSigningInByCode(adminBrowser, admin.email);
    const base = `/v1/buyer/accounts/${account.accountId}/buyers`;
    const colleagueEmail = `colleague-${crypto.randomUUID().slice(0, 8)}@martin.example`;
    const invited = await adminBrowser.post(base, { email: colleagueEmail, name: 'Paul Martin' });
    expect(invited.status, invited.text).toBe(201);
    const colleagueId = (invited.body as { buyerId: string }).buyerId;

    const colleague = browser();
    await whenSigningInByCode(colleague, colleagueEmail);
    expectProblem(await colleague.post(base, { email: 'x@martin.example', name: 'X' }), 403, 'forbidden');
    expectProblem(await colleague.get(`/v1/buyer/accounts/${account.accountId}/tokens`), 403, 'forbidden');

    expect((await adminBrowser.delete(`${base}/${colleagueId}`)).status).toBe(204);
    const after = expectBody(await colleague.get('/v1/buyer/session'), 200, buyerSessionSchema);
    expect(after.accounts).toEqual([]);
    expect((await auditOf(keys.accountPartition(account.accountId))).map((a) => a.action).sort()).toEqual(
      ['buyer_invited', 'buyer_invited', 'buyer_removed'].sort(),
    );
  });
});

describe('buyer API tokens and roles', () => {
  it('reads with a buyer token its one account only, until it is revoked', async () => {
    const [own, other] = await Promise.all([givenAccount(operator), givenAccount(operator)]);
    const { email } = await givenInvitedBuyer(operator, own.accountId, { role: 'admin' });
    await givenInvitedBuyer(operator, other.accountId, { email, role: 'admin' });
    const admin = browser();
    await whenSigningInByCode(admin, email);
    const created = await admin.post(`/v1/buyer/accounts/${own.accountId}/tokens`, { name: 'ERP Martin' });
    const issued = expectBody(created, 201, issuedBuyerTokenSchema);
    expect(issued.token).toMatch(/^bt_/);
    const listed = expectBody(
      await admin.get(`/v1/buyer/accounts/${own.accountId}/tokens`),
      200,
      pageSchema(buyerTokenSummarySchema),
    );
    expect(listed.items.map((t) => t.tokenId)).toEqual([issued.tokenId]);
    expect(JSON.stringify(listed)).not.toContain(issued.token);

    const erp = new HttpClient(api.baseUrl).as(issued.token);
    const session = expectBody(await erp.get('/v1/buyer/session'), 200, buyerSessionSchema);
    expect(session).toMatchObject({ authenticatedBy: 'token', accounts: [{ accountId: own.accountId }] });
    expect(session.csrfToken).toBeUndefined();
    // Its account's admin routes are for people, another account's are unknown to it.
    expectProblem(await erp.get(`/v1/buyer/accounts/${own.accountId}/tokens`), 403, 'forbidden');
    expectProblem(await erp.get(`/v1/buyer/accounts/${other.accountId}/tokens`), 404, 'account_not_found');

    expect((await admin.delete(`/v1/buyer/accounts/${own.accountId}/tokens/${issued.tokenId}`)).status).toBe(
      204,
    );
    // A revoked token is denied by the authorizer itself (on AWS: API Gateway's 403 {"message":"Forbidden"}).
    expectProblem(await erp.get('/v1/buyer/session'), 403, 'credential_denied');
    expect((await auditOf(keys.accountPartition(own.accountId))).map((a) => a.action)).toContain(
      'buyer_token_revoked',
    );
  });

  it('refuses an operator key on buyer routes and a buyer on operator routes (403; a cookie alone gets 401)', async () => {
    const account = await givenAccount(operator);
    const { email } = await givenInvitedBuyer(operator, account.accountId, { role: 'admin' });
    const admin = browser();
    await whenSigningInByCode(admin, email);
    expectProblem(await operator.get('/v1/buyer/session'), 403, 'forbidden');
    expectProblem(await operator.get(`/v1/buyer/accounts/${account.accountId}/tokens`), 403, 'forbidden');

    const issued = expectBody(
      await admin.post(`/v1/buyer/accounts/${account.accountId}/tokens`, { name: 'ERP' }),
      201,
      issuedBuyerTokenSchema,
    );
    const erp = new HttpClient(api.baseUrl).as(issued.token);
    expectProblem(await erp.get(`/v1/accounts/${account.accountId}`), 403, 'forbidden');
    expectProblem(await erp.get(`/v1/accounts/${account.accountId}/buyers`), 403, 'forbidden');
    expectProblem(
      await erp.post(`/v1/accounts/${account.accountId}/buyers`, { email: 'x@martin.example', name: 'X' }),
      403,
      'forbidden',
    );
    // A session cookie is no credential on operator routes: API Gateway wants an Authorization header.
    expect((await admin.get(`/v1/accounts/${account.accountId}`)).status).toBe(401);
    expect((await admin.get('/v1/accounts')).status).toBe(401);
  });

  it('answers 401 session_required on a buyer route without a cookie or token', async () => {
    expectProblem(await browser().get('/v1/buyer/session'), 401, 'session_required', ['Cookie']);
  });
});
