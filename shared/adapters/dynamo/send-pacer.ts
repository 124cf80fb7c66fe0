import type { SendPacer } from '../../core/ports/mailer.js';
import { updateIf } from './kit/operations.js';
import type { TableRef } from './kit/table-ref.js';
import { keys, TABLE_KEYS } from './table.js';

export interface SendPacerOptions {
  /** The sends allowed per second (the account's SES MaxSendRate), read when a token is wanted. */
  rate: () => Promise<number>;
  /**
   * Whose counter: every sender of one SES account and region shares `ses` (the default); a test takes
   * its own so parallel test files do not share a rate.
   */
  scope?: string;
  /**
   * How long `take` waits for a free second before giving up (the caller then releases its claim and
   * retries later): short, so a delivery step stays far inside its Lambda timeout.
   * @default 5000
   */
  maxWaitMs?: number;
  /** The wall clock, in milliseconds (not the business clock: the counter is of real seconds). */
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The shared send rate as one counter item per second in the table (the rate-limit item, subject
 * `SES#<scope>`, removed by TTL a minute later): a token is an `ADD 1` conditioned on the count being below
 * the rate, so concurrent senders in any function never take more than `rate` tokens in one second. A
 * sender that finds the second full waits for the next one, up to `maxWaitMs`. The counter is per second
 * (a new partition each second, so it never becomes a hot key) and costs one write per send.
 */
export class DynamoSendPacer implements SendPacer {
  private readonly scope: string;
  private readonly maxWaitMs: number;
  private readonly nowMs: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly table: TableRef,
    private readonly options: SendPacerOptions,
  ) {
    this.scope = options.scope ?? 'ses';
    this.maxWaitMs = options.maxWaitMs ?? 5000;
    this.nowMs = options.nowMs ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async take(): Promise<boolean> {
    const rate = await this.options.rate();
    const giveUpAt = this.nowMs() + this.maxWaitMs;
    for (;;) {
      const second = Math.floor(this.nowMs() / 1000);
      const taken = await this.takeIn(second, rate);
      const now = this.nowMs();
      // A token is good only while its second lasts: taken as the second ended (the write's round trip),
      // the send would land in the next second on top of that second's own tokens. Take one there instead.
      if (taken && Math.floor(now / 1000) === second) return true;
      if (taken && now < giveUpAt) continue;
      const nextSecond = (second + 1) * 1000;
      if (nextSecond >= giveUpAt) return false;
      // A little jitter, so the waiters of a full second do not all hit the next one at its first instant.
      await this.sleep(nextSecond - now + Math.floor(Math.random() * 50));
    }
  }

  private async takeIn(second: number, rate: number): Promise<boolean> {
    const taken = await updateIf(this.table, {
      Key: keys.rateLimit(`SES#${this.scope}`, String(second)),
      UpdateExpression: 'ADD hits :one SET #ttl = :ttl, entity = :entity',
      // Counted only below the rate: a refused take leaves the count as it was.
      ConditionExpression: 'attribute_not_exists(hits) OR hits < :rate',
      ExpressionAttributeNames: { '#ttl': TABLE_KEYS.ttlAttribute },
      ExpressionAttributeValues: { ':one': 1, ':rate': rate, ':ttl': second + 60, ':entity': 'SendRate' },
    });
    return taken !== undefined;
  }
}
