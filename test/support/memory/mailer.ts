import type { Mailer, RawEmail } from '../../../shared/core/ports/mailer.js';
import { copy, type MemoryStore } from './store.js';

/** A mailer that records what it sends in the store's mailbox and answers sequential message ids. */
export class RecordingMailer implements Mailer {
  constructor(private readonly store: MemoryStore) {}

  async sendRaw(message: RawEmail): Promise<string> {
    const messageId = `memory-${String(this.store.mailbox.length + 1).padStart(6, '0')}`;
    this.store.mailbox.push({ ...copy(message), to: [...message.to], messageId });
    return messageId;
  }
}
