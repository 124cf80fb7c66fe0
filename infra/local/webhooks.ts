/**
 * Webhooks on the local stack: what the EventBridge rule and the every-minute schedule do on AWS. Each event
 * the local bus takes that the rule would match goes to the `webhook-fanout` handler (as its target, not
 * awaited by the bus), and the `webhook-dispatch` handler runs on a timer.
 */
import { ACCOUNTING_EVENT_SOURCE } from '../../shared/contracts/events/accounting.js';
import { WEBHOOK_EVENT_TYPES } from '../../shared/contracts/events/webhooks.js';
import type { LoggedEvent } from './events-endpoint.js';
import { localLambdaContext } from './lambda-context.js';

export interface LocalWebhooks {
  /** The rule: an event of the bus, to the fan-out when it matches. */
  route(event: LoggedEvent): void;
  stop(): Promise<void>;
}

const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENT_TYPES);

export async function startLocalWebhooks(options: {
  log: (line: string) => void;
  /** The dispatcher's period. @default 60000 */
  everyMs?: number;
}): Promise<LocalWebhooks> {
  const { handler: fanout } = await import('../../functions/webhook-fanout/handler.js');
  const { handler: dispatch } = await import('../../functions/webhook-dispatch/handler.js');
  const running = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  const timer = setInterval(() => {
    track(
      dispatch({}, localLambdaContext('webhook-dispatch', { timeoutMs: 90_000 })).then(
        (summary) => {
          if (summary.delivered + summary.failed > 0) {
            options.log(`dispatch: ${summary.delivered} delivered, ${summary.failed} failed`);
          }
        },
        (error: unknown) => options.log(`dispatch failed: ${(error as Error).message}`),
      ),
    );
  }, options.everyMs ?? 60_000);
  return {
    route(event) {
      if (event.source !== ACCOUNTING_EVENT_SOURCE || !SUBSCRIBABLE.has(event.detailType)) return;
      track(
        fanout(
          {
            version: '0',
            id: event.id,
            'detail-type': event.detailType,
            source: event.source,
            account: '000000000000',
            time: event.time,
            region: 'eu-west-3',
            resources: [],
            detail: event.detail,
          },
          localLambdaContext('webhook-fanout', { timeoutMs: 60_000 }),
        ).catch((error: unknown) => options.log(`fan-out failed: ${(error as Error).message}`)),
      );
    },
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
