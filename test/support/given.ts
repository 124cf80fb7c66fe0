import { type Base, baseFor, type IntakeDeps, intakeDeps } from '../../shared/composition/root.js';
import { type AppConfig, loadConfig } from '../../shared/config/app.js';
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import type { Clock } from '../../shared/core/ports/clock.js';
import { createAccount } from '../../shared/core/usecases/accounts.js';
import { createStorefront } from '../../shared/core/usecases/storefronts.js';
import { anAccount } from '../builders/accounts.js';
import { aStorefront } from '../builders/storefronts.js';

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

/** The intake's deps, with the base they were built from (other families are built from it too). */
export type Services = IntakeDeps & { base: Base };

/**
 * Services wired to the emulators the global setup started, with a clock the test controls (and, for a
 * test with a table of its own, that table's configuration).
 */
export function givenServices(clock: Clock = new TestClock(), config: AppConfig = loadConfig()): Services {
  const base = baseFor({ clock, config });
  return { ...intakeDeps(base), base };
}

/** Given a storefront (with its key) and an account enrolled with it (on either tier: intake's deps only). */
export async function givenEnrolledAccount(
  services: IntakeDeps,
  overrides: Partial<CreateAccountInput> = {},
): Promise<{ storefrontId: string; storefrontKey: string; accountId: string }> {
  const { storefront, key } = await createStorefront(services, aStorefront());
  const account = await createAccount(
    services,
    anAccount({ storefrontIds: [storefront.storefrontId], ...overrides }),
  );
  return { storefrontId: storefront.storefrontId, storefrontKey: key.apiKey, accountId: account.accountId };
}
