import { describe, expect, it } from 'vitest';
import {
  type EmailDeliveryState,
  type Mailer,
  type RawEmail,
  SendFailure,
} from '../../../shared/core/ports/mailer.js';
import {
  DeliveryRefused,
  DeliveryUnknown,
  deliverAtMostOnce,
} from '../../../shared/core/usecases/deliver-once.js';

/** A document's email state kept in memory, moved like the conditional writes move the stored one. */
class MemoryState implements EmailDeliveryState {
  status: 'ready' | 'sending' | 'sent' = 'ready';
  messageId: string | undefined;
  async begin() {
    if (this.status !== 'ready') return false;
    this.status = 'sending';
    return true;
  }
  async abandon() {
    if (this.status !== 'sending') return false;
    this.status = 'ready';
    return true;
  }
  async sent(messageId: string) {
    this.status = 'sent';
    this.messageId = messageId;
  }
}

/** A mailer that answers each send from a script: a message id, or a failure to throw. */
class ScriptedMailer implements Mailer {
  readonly sent: RawEmail[] = [];
  constructor(private readonly script: Array<string | Error>) {}
  async sendRaw(message: RawEmail): Promise<string> {
    const next = this.script.shift() ?? 'msg-default';
    if (next instanceof Error) throw next;
    this.sent.push(message);
    return next;
  }
}

const message: RawEmail = {
  raw: Buffer.from('MIME'),
  from: 'factures@example.com',
  to: ['buyer@example.com'],
};
const now = () => new Date('2026-11-30T21:05:00Z');

describe('delivering a document at most once', () => {
  it('sends once, then does nothing however often it is asked again', async () => {
    const state = new MemoryState();
    const mailer = new ScriptedMailer(['msg-1']);
    expect(await deliverAtMostOnce({ state, mailer, message, now })).toEqual({
      kind: 'sent',
      messageId: 'msg-1',
    });
    expect(await deliverAtMostOnce({ state, mailer, message, now })).toEqual({ kind: 'not-ready' });
    expect(mailer.sent).toHaveLength(1);
    expect(state).toMatchObject({ status: 'sent', messageId: 'msg-1' });
  });

  it('gives a throttled send back (ready again), so a retry sends it once', async () => {
    const state = new MemoryState();
    const mailer = new ScriptedMailer([
      new SendFailure('throttled', 'Maximum sending rate exceeded'),
      'msg-2',
    ]);
    const first = deliverAtMostOnce({ state, mailer, message, now });
    await expect(first).rejects.toBeInstanceOf(DeliveryRefused);
    await expect(first).rejects.toMatchObject({ kind: 'throttled' });
    expect(state.status).toBe('ready');
    expect(await deliverAtMostOnce({ state, mailer, message, now })).toEqual({
      kind: 'sent',
      messageId: 'msg-2',
    });
    expect(mailer.sent).toHaveLength(1);
  });

  it('never retries a send of unknown outcome: it stays sending', async () => {
    const state = new MemoryState();
    const mailer = new ScriptedMailer([new Error('socket hang up'), 'msg-never']);
    await expect(deliverAtMostOnce({ state, mailer, message, now })).rejects.toBeInstanceOf(DeliveryUnknown);
    expect(state.status).toBe('sending');
    expect(await deliverAtMostOnce({ state, mailer, message, now })).toEqual({ kind: 'not-ready' });
    expect(mailer.sent).toHaveLength(0);
  });

  it('lets one of two concurrent deliveries send', async () => {
    const state = new MemoryState();
    const mailer = new ScriptedMailer(['msg-a', 'msg-b']);
    const outcomes = await Promise.all([
      deliverAtMostOnce({ state, mailer, message, now }),
      deliverAtMostOnce({ state, mailer, message, now }),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['not-ready', 'sent']);
    expect(mailer.sent).toHaveLength(1);
  });
});
