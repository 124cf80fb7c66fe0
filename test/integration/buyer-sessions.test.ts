import { describe, expect, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { baseFor, buyerAccessDeps } from '../../shared/composition/root.js';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SIGN_IN_VALIDITY_MS,
} from '../../shared/core/domain/buyers.js';
import type { Clock } from '../../shared/core/ports/clock.js';
import { authenticateSession } from '../../shared/core/usecases/authentication.js';
import { inviteBuyer, openSession, requestSignIn } from '../../shared/core/usecases/buyers.js';
import { anAccount } from '../builders/accounts.js';
import { auditOf, freshClientIp, signInEmailFor } from '../support/buyers.js';
import { issueOperatorKey } from '../support/keys.js';

/** A clock the test moves. */
function movableClock(start = new Date()): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A buyer invited to a fresh account through the use cases, on the emulators, with the test's clock. */
async function givenBuyer(clock: Clock) {
  const deps = buyerAccessDeps(baseFor({ clock }));
  const { createAccount } = await import('../../shared/core/usecases/accounts.js');
  const { intakeDeps } = await import('../../shared/composition/root.js');
  const account = await createAccount(intakeDeps(baseFor({ clock })), anAccount());
  const email = `session-${crypto.randomUUID().slice(0, 8)}@martin.example`;
  const invited = await inviteBuyer(
    deps,
    account.accountId,
    { email, name: 'Claire Martin', language: 'fr', role: 'viewer' },
    await issueOperatorKey(),
  );
  return { deps, email, buyerId: invited.buyerId, accountId: account.accountId };
}

async function signInCode(deps: ReturnType<typeof buyerAccessDeps>, email: string, clientIp: string) {
  const since = new Date(Date.now() - 1000);
  await requestSignIn(deps, { email, clientIp });
  return (await signInEmailFor(email, since)).code;
}

describe('sign-in codes expire', () => {
  it('refuses a code after 15 minutes, with 401 and no session', async () => {
    const clock = movableClock();
    const { deps, email, buyerId } = await givenBuyer(clock);
    const clientIp = freshClientIp();
    const code = await signInCode(deps, email, clientIp);
    clock.advance(SIGN_IN_VALIDITY_MS + 1000);
    await expect(openSession(deps, { email, code, clientIp })).rejects.toMatchObject({
      status: 401,
      code: 'sign_in_failed',
    });
    expect(await auditOf(keys.buyerPartition(buyerId))).toEqual([]);
  });

  it('accepts it just before', async () => {
    const clock = movableClock();
    const { deps, email } = await givenBuyer(clock);
    const clientIp = freshClientIp();
    const code = await signInCode(deps, email, clientIp);
    clock.advance(SIGN_IN_VALIDITY_MS - 1000);
    await expect(openSession(deps, { email, code, clientIp })).resolves.toMatchObject({
      session: { idleExpiresAt: expect.any(String) },
    });
  });
});

describe('sessions expire', () => {
  it('dies after 30 minutes without a call, lives on while used', async () => {
    const clock = movableClock();
    const { deps, email, accountId } = await givenBuyer(clock);
    const clientIp = freshClientIp();
    const { secret } = await openSession(deps, {
      email,
      code: await signInCode(deps, email, clientIp),
      clientIp,
    });
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect(await authenticateSession(deps, secret)).toMatchObject({ accountIds: [accountId] });
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect(await authenticateSession(deps, secret)).toMatchObject({ accountIds: [accountId] });
    clock.advance(SESSION_IDLE_MS + 1000);
    expect(await authenticateSession(deps, secret)).toBeUndefined();
  });

  it('dies after 12 hours however busy', async () => {
    const clock = movableClock();
    const { deps, email } = await givenBuyer(clock);
    const clientIp = freshClientIp();
    const { secret } = await openSession(deps, {
      email,
      code: await signInCode(deps, email, clientIp),
      clientIp,
    });
    for (let elapsed = 0; elapsed < SESSION_ABSOLUTE_MS - SESSION_IDLE_MS; elapsed += SESSION_IDLE_MS / 2) {
      clock.advance(SESSION_IDLE_MS / 2);
      expect(await authenticateSession(deps, secret)).toBeDefined();
    }
    clock.advance(SESSION_IDLE_MS / 2);
    expect(await authenticateSession(deps, secret)).toBeDefined();
    // Touched 15 minutes ago, so idle it is not; but 12 hours have passed.
    clock.advance(SESSION_IDLE_MS / 2 + 1000);
    expect(await authenticateSession(deps, secret)).toBeUndefined();
  });
});
