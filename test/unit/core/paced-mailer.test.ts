import { describe, expect, it } from 'vitest';
import type { EmailDeliveryState, Mailer } from '../../../shared/core/ports/mailer.js';
import { DeliveryRefused, deliverAtMostOnce } from '../../../shared/core/usecases/deliver-once.js';
import { PacedMailer } from '../../../shared/core/usecases/paced-mailer.js';

/** A document's email state in memory, moved as the table's conditional writes move it. */
function aDocument() {
  const document = { status: 'ready' as 'ready' | 'sending' | 'sent' };
  const move = (from: typeof document.status, to: typeof document.status) => {
    if (document.status !== from) return false;
    document.status = to;
    return true;
  };
  const state: EmailDeliveryState = {
    begin: async () => move('ready', 'sending'),
    abandon: async () => move('sending', 'ready'),
    sent: async () => {
      document.status = 'sent';
    },
  };
  return { document, state };
}

const message = { raw: Buffer.from('x'), from: 'a@marketplace.example', to: ['b@buyer.example'] };

describe('a paced send', () => {
  it.each([
    ['no token this second', async () => false],
    [
      'the counter unreachable',
      async (): Promise<boolean> => Promise.reject(new Error('ProvisionedThroughputExceeded')),
    ],
  ])('with %s: nothing sent, the claim released (retried later, never lost)', async (_, take) => {
    const sends: unknown[] = [];
    const mailer: Mailer = {
      sendRaw: async (email) => {
        sends.push(email);
        return 'message-1';
      },
    };
    const { document, state } = aDocument();
    const outcome = deliverAtMostOnce({
      state,
      mailer: new PacedMailer(mailer, { take }),
      message,
      now: () => new Date(),
    });
    await expect(outcome).rejects.toBeInstanceOf(DeliveryRefused);
    await expect(outcome).rejects.toMatchObject({ kind: 'throttled' });
    expect(sends).toEqual([]);
    expect(document.status).toBe('ready');
  });

  it('with a token: sent once', async () => {
    const sends: unknown[] = [];
    const mailer: Mailer = {
      sendRaw: async (email) => {
        sends.push(email);
        return 'message-1';
      },
    };
    const { document, state } = aDocument();
    const paced = new PacedMailer(mailer, { take: async () => true });
    const deliver = () => deliverAtMostOnce({ state, mailer: paced, message, now: () => new Date() });
    expect(await deliver()).toEqual({ kind: 'sent', messageId: 'message-1' });
    expect(await deliver()).toEqual({ kind: 'not-ready' });
    expect(sends).toHaveLength(1);
    expect(document.status).toBe('sent');
  });
});
