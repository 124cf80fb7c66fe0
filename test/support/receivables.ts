import { expect } from 'vitest';
import { DomainError } from '../../shared/core/errors.js';
import { type PaymentDeps, recomputeAccountFigures } from '../../shared/core/usecases/payments.js';

/** The account's stored figures equal the ones recomputed from its ledger (invariant: money is exact). */
export async function expectExactFigures(deps: PaymentDeps, accountId: string) {
  const figures = await recomputeAccountFigures(deps, accountId);
  expect(figures.invoiceMismatches).toEqual([]);
  expect(figures.statusMismatches).toEqual([]);
  expect(figures.stored).toEqual(figures.recomputed);
  expect(figures.matches).toBe(true);
  return figures;
}

/** The DomainError a use case refused with (fails the test when it succeeded or threw anything else). */
export async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}
