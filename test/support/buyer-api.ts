import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { issuedBuyerTokenSchema } from '../../shared/contracts/schemas/buyer.js';
import { BuyerBrowser, givenInvitedBuyer, whenSigningInByCode } from './buyers.js';
import { expectBody, HttpClient } from './http.js';

/*
 * Real buyer principals for the buyer API's tests, made the way a buyer gets them: the operator invites a
 * person, who signs in with the code from the local mailbox (a session), and, as an admin, creates a buyer
 * API token for its ERP.
 */

/** A person member of `accountIds` (admin of each), signed in: a browser holding its session cookie. */
export async function givenSignedInBuyer(
  baseUrl: string,
  operator: HttpClient,
  accountIds: readonly string[],
): Promise<BuyerBrowser> {
  const email = `buyer-${randomUUID().slice(0, 12)}@martin.example`;
  for (const accountId of accountIds) await givenInvitedBuyer(operator, accountId, { email, role: 'admin' });
  const browser = new BuyerBrowser(baseUrl);
  const signedIn = await whenSigningInByCode(browser, email);
  expect(signedIn.status, signedIn.text).toBe(201);
  return browser;
}

/** The API as an account's ERP: a buyer API token created by a signed-in admin of that account. */
export async function givenBuyerToken(
  baseUrl: string,
  operator: HttpClient,
  accountId: string,
): Promise<HttpClient> {
  const admin = await givenSignedInBuyer(baseUrl, operator, [accountId]);
  const created = await admin.post(`/v1/buyer/accounts/${accountId}/tokens`, { name: 'ERP' });
  const { token } = expectBody(created, 201, issuedBuyerTokenSchema);
  return new HttpClient(baseUrl, token);
}
