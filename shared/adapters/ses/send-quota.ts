import { GetSendQuotaCommand, type SESClient } from '@aws-sdk/client-ses';

/** How long a read quota is kept: a raised quota is picked up within this, without a call per send. */
const QUOTA_TTL_MS = 10 * 60 * 1000;

/**
 * The account's SES send rate per second (GetSendQuota `MaxSendRate`: 1 in the sandbox, 14 and up after),
 * read on the first send of a container's run and kept 10 minutes. `fixedRate` (SES_MAX_SEND_RATE) replaces
 * it: the local stack (the emulator has no GetSendQuota) or an operator keeping below the quota.
 */
export function sesSendRate(client: SESClient, fixedRate?: number): () => Promise<number> {
  if (fixedRate !== undefined) return async () => fixedRate;
  let cached: { rate: number; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.rate;
    const quota = await client.send(new GetSendQuotaCommand({}));
    // A fractional quota (0.5/s) still allows one send a second: the counter's window is a second.
    const rate = Math.max(1, Math.floor(quota.MaxSendRate ?? 1));
    cached = { rate, until: Date.now() + QUOTA_TTL_MS };
    return rate;
  };
}
