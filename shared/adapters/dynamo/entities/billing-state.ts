import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import { keys } from '../table.js';

/*
 * The billing state lives on the account item (see AccountEntity): `closedThrough`, `billedThrough`, its
 * place in the AccountsByBillingDue index (`duePk`, `dueSk`), `billingBlocked`, and the build's claim below.
 */

/**
 * The attribute of the account item naming the build allowed to write (`<runId>#<ulid>`). Internal: the
 * account's schema drops it, only the billing run's writes read it.
 */
export const BUILD_ATTEMPT = 'buildAttempt';

/** What ListDue reads of an account in the keys-only due index: its id, from the item's `PK`. */
export const DueAccount = {
  name: 'Account (due)',
  projection: ['PK'],
  schema: z.pipe(
    z.object({ PK: z.string().check(z.startsWith(keys.accountPartition(''))) }),
    z.transform(({ PK }) => ({ accountId: PK.slice(keys.accountPartition('').length) })),
  ),
} as const;
