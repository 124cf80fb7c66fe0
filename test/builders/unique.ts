import { randomUUID } from 'node:crypto';

/**
 * A short random tag for names, references and mailboxes, so each test's data is its own on a table
 * other tests share (the ids themselves are the server's).
 */
export function uniqueTag(length = 8): string {
  return randomUUID().replaceAll('-', '').slice(0, length);
}
