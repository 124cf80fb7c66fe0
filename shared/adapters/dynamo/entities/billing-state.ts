import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';

/*
 * The billing state lives on the account item (see AccountEntity): `closedThrough`, `billedThrough`, its
 * place in the AccountsByBillingDue index (`duePk`, `dueSk`), `billingBlocked`, and the build's claim below.
 */

/**
 * The attribute of the account item naming the build allowed to write (`<runId>#<ulid>`). Internal: the
 * account's schema drops it, only the billing run's writes read it.
 */
export const BUILD_ATTEMPT = 'buildAttempt';

/** What ListDue reads of an account in the due index (a projection): its id. */
export const DueAccount = {
  name: 'Account (due)',
  projection: ['accountId'],
  schema: z.object({ accountId: z.string() }),
} as const;
