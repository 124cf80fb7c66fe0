import { randomUUID } from 'node:crypto';
import { createServices, type Services } from '../../shared/composition/services.js';
import { loadConfig } from '../../shared/config/app.js';
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import type { Clock } from '../../shared/core/ports/clock.js';
import { createAccount } from '../../shared/core/usecases/accounts.js';
import { createStorefront } from '../../shared/core/usecases/storefronts.js';
import { anAccount } from './fixtures.js';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current: Date = new Date()) {}
  now(): Date {
    return new Date(this.current);
  }
  set(instant: string | Date): void {
    this.current = new Date(instant);
  }
}

/** Services wired to the emulators the global setup started, with a clock the test controls. */
export function givenServices(clock: Clock = new TestClock()): Services {
  return createServices(loadConfig(), undefined, clock);
}

/** Given a storefront (with its key) and an account enrolled with it. */
export async function givenEnrolledAccount(
  services: Services,
  overrides: Partial<CreateAccountInput> = {},
): Promise<{ storefrontId: string; storefrontKey: string; accountId: string }> {
  const { storefront, key } = await createStorefront(services, { name: `Shop ${randomUUID().slice(0, 6)}` });
  const account = await createAccount(
    services,
    anAccount({
      storefrontIds: [storefront.storefrontId],
      // A mailbox of its own, so a test finds its emails among everyone's.
      billingEmails: [`ap-${randomUUID().slice(0, 8)}@buyer.example`],
      ...overrides,
    }),
  );
  return { storefrontId: storefront.storefrontId, storefrontKey: key.apiKey, accountId: account.accountId };
}
