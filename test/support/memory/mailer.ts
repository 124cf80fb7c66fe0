import type { Mailer, RawEmail } from '../../../shared/core/ports/mailer.js';
import { copy, type MemoryStore } from './store.js';

/**
 * A mailer that records what it sends in the store's mailbox, with its subject decoded (as the SES
 * emulator's store shows it), and answers sequential message ids.
 */
export class RecordingMailer implements Mailer {
  constructor(private readonly store: MemoryStore) {}

  async sendRaw(message: RawEmail): Promise<string> {
    const messageId = `memory-${String(this.store.mailbox.length + 1).padStart(6, '0')}`;
    this.store.mailbox.push({
      ...copy(message),
      to: [...message.to],
      subject: subjectOf(message.raw),
      messageId,
    });
    return messageId;
  }
}

/** The Subject header of a raw message, unfolded, its RFC 2047 encoded words decoded. */
export function subjectOf(raw: Buffer): string {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const folded = /^Subject:(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1] ?? '';
  return folded
    .replace(/\r?\n[ \t]/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between encoded words is not part of the text
    .replace(
      /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
      (_word, _charset: string, encoding: string, text: string) =>
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) =>
                  String.fromCharCode(Number.parseInt(code, 16)),
                ),
              'latin1',
            ).toString('utf8'),
    )
    .trim();
}
