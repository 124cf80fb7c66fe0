import { describe, it } from 'vitest';
import { LOCAL_INVOICE_SENDER } from '../../infra/local/environment.js';
import type { IntakeDeps } from '../../shared/composition/root.js';
import type { ReceivablesConfig } from '../../shared/core/ports/settings.js';
import type { BillingDeps } from '../../shared/core/usecases/billing.js';
import type { CreditNoteDeliveryDeps } from '../../shared/core/usecases/credit-note-delivery.js';
import type { CreditNoteDeps } from '../../shared/core/usecases/credit-notes.js';
import type { PaymentDeps } from '../../shared/core/usecases/payments.js';
import type { ReceivablesDeps } from '../../shared/core/usecases/receivables.js';
import type { TestClock } from '../support/given.js';
import type { AccountFigures } from '../support/receivables.js';

/*
 * Scenarios written once, run on both tiers: each is a function of a World, which says how the use cases'
 * deps are built and how a scenario starts afresh. The fast tier (test/fast) runs them on in-memory adapters
 * (test/support/memory), the integration tier (test/integration/scenarios.test.ts) on the emulators.
 */

/** The daily follow-up's settings in every scene: the product's defaults. */
export const SCENE_RECEIVABLES: ReceivablesConfig = {
  reminderDays: [1, 15, 30],
  suspendAfterDays: 30,
  sender: LOCAL_INVOICE_SENDER,
};

/** Everything one scenario works with, built afresh for it. */
export interface Scene {
  /** The scene's clock: the scenario moves it as time passes. */
  clock: TestClock;
  /** Order intake, accounts, storefronts, sellers. */
  intake: IntakeDeps;
  /** The billing run's steps, for an issuer of the scene's own (its own invoice and credit-note sequences). */
  billing: BillingDeps;
  payments: PaymentDeps;
  creditNotes: CreditNoteDeps;
  creditNoteDelivery: CreditNoteDeliveryDeps;
  /** The daily follow-up: reminders on days 1, 15 and 30 after the due date, suspension after 30. */
  receivables: ReceivablesDeps;
  /** Invariant 3 as stored: the issuer's invoice numbers of a year, 1…last, each held once (throws on a gap). */
  issuedNumbers(year: string): Promise<string[]>;
  /** An account's figures as stored and as recomputed from its orders, invoices and ledger. */
  figures(accountId: string): Promise<AccountFigures>;
  /** How many emails reached this address since the scene began whose subject mentions `about`. */
  emailsTo(address: string, about: string): Promise<number>;
}

/** A tier the scenarios run on. */
export interface World {
  /** A fresh scene whose clock starts at `start` (an ISO instant). */
  scene(start: string): Promise<Scene>;
}

/** Scenarios by name: given/when/then as one function of the world. */
export type Scenarios = Readonly<Record<string, (world: World) => Promise<void>>>;

/** One `it` per scenario, on this world. */
export function runScenarios(title: string, scenarios: Scenarios, world: World): void {
  describe(title, () => {
    for (const [name, scenario] of Object.entries(scenarios)) it(name, () => scenario(world));
  });
}
