import { WorkflowError } from '../../contracts/workflow/workflow.js';
import type { AccountRecord } from '../domain/accounts.js';
import type { Page, PageRequest } from './page.js';

/**
 * The accounts' billing state as the billing run moves it: who is due at a cut-off, the build's claim on an
 * account, closed periods, invoiced periods. A build's writes are conditioned on its claim: one the run gave
 * up (timed out, then recorded failed, which revokes it) or one a newer attempt took over throws
 * `buildSuperseded` instead of landing late.
 */
export interface BillingStateStore {
  /** Ids of the accounts whose oldest open period's last day is on or before the cut-off, a page at a time. */
  accountsDue(cutOff: string, page: PageRequest): Promise<Page<string>>;
  /** Claims the account for one build attempt and reads it (strongly consistent); undefined when it does not exist. */
  claimBuild(accountId: string, attempt: string): Promise<AccountRecord | undefined>;
  /** Revokes the claim of a build of this run the run gave up (a newer run's claim stays). */
  revokeBuildClaim(accountId: string, runId: string): Promise<void>;
  /** Takes an account whose stored billing data cannot be built out of billing, saying why, until it is repaired. */
  park(accountId: string, attempt: string, reason: string, at: string): Promise<void>;
  /** Closes the periods before `closeThrough` (forward only): later orders go to the next open period. */
  closePeriods(accountId: string, closeThrough: string): Promise<void>;
  /**
   * Marks the periods in [from, to) invoiced and moves the account in the due index to `nextCloseDate`;
   * done already (a retry) is fine.
   */
  advanceBilledThrough(
    accountId: string,
    from: string,
    to: string,
    nextCloseDate: string,
    attempt: string,
  ): Promise<void>;
}

/**
 * A build's write refused because its claim on the account is gone: the run gave the build up (it timed out
 * and was recorded failed) or a newer build of the account took over. Its writes must not land late.
 */
export function buildSuperseded(accountId: string): WorkflowError {
  return new WorkflowError(
    'BuildSuperseded',
    `The build of account ${accountId} was given up or taken over by another build: it stopped writing`,
  );
}
