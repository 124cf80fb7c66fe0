/**
 * The one MIME builder of every email the product sends, as raw MIME for SES SendRawEmail: plain text and
 * HTML alternatives (email/layout.ts) and, for a document, its PDF attached. Built with nodemailer's
 * MailComposer (maintained, RFC 2047 subjects, quoted-printable bodies, base64 attachments, address
 * encoding) without any of its transports: sending is the mailer adapter's job.
 *
 * Every message is checked the same way before it is built (recipients, sender, reply-to), and its
 * Message-ID is derived from the document (`<key@sender-domain>`), so every build of the same email
 * carries the same one. SES replaces Message-ID and Date with its own values when it accepts a message
 * (the id to record is the one SendRawEmail returns), so the document's number also travels in an
 * `X-…-Number` header.
 */
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Catalogue } from '../texts/catalogue.js';
import { type EmailContent, emailBodies } from './layout.js';

/** How a document's email is sent. */
export interface EmailOptions {
  /** The From address, a verified SES identity: `factures@example.com` or `Name <factures@example.com>`. */
  from: string;
  /** Where replies go; default: the issuer's email when it differs from the From address (invoices). */
  replyTo?: string;
  /** The Date header; default: now. */
  date?: Date;
}

/** The email cannot be built as asked (a draft, no or invalid recipients, an invalid sender). */
export class EmailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmailError';
  }
}

/** RFC 5322 dot-atom characters of a local part. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * Whether an address is one we will send a document to: a bare addr-spec (no display name), ASCII, a
 * dot-atom local part of at most 64 characters, a domain of at least two DNS labels with an alphabetic
 * (or punycode) top-level domain, 254 characters at most. Quoted local parts and IP literals are legal
 * but refused: no billing address needs them, and the SES emulator would accept anything.
 */
export function validateEmailAddress(address: string): boolean {
  if (typeof address !== 'string' || address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  return (
    labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label)) && TOP_LEVEL_DOMAIN.test(topLevel)
  );
}

/** The bare address of a From value ("Name <a@b.c>" → "a@b.c"). */
export function mailboxOf(from: string): string | undefined {
  const [first] = addressparser(from, { flatten: true });
  return first?.address || undefined;
}

/** One email of a document, as the builder needs it. */
interface EmailMessage {
  /** The document, for errors: "invoice inv_…", "credit note AV-2026-000001". */
  about: string;
  /** The buyer's billing emails. */
  to: readonly string[];
  /** The Message-ID's local part, derived from the document: `inv_….2026-000123`. */
  messageKey: string;
  content: EmailContent;
  /** The PDF, attached under this name. */
  attachment?: { filename: string; content: Buffer };
  /** `X-Invoice-Number` and the like; Content-Language is added. */
  headers: Record<string, string>;
}

/**
 * The raw MIME of an email: multipart/mixed holding a multipart/alternative (plain text and HTML) and the
 * attachment, or the alternative alone. Throws an EmailError for missing or invalid recipients, an
 * invalid sender or reply-to address.
 */
export async function buildEmail(
  message: EmailMessage,
  texts: Catalogue,
  options: EmailOptions,
): Promise<Buffer> {
  const recipients = message.to;
  if (recipients.length === 0) {
    throw new EmailError(`${message.about}: the buyer has no billing email`);
  }
  const invalid = recipients.filter((address) => !validateEmailAddress(address));
  if (invalid.length > 0) {
    throw new EmailError(`${message.about}: invalid billing email(s) ${invalid.join(', ')}`);
  }
  const sender = mailboxOf(options.from);
  if (!sender || !validateEmailAddress(sender)) {
    throw new EmailError(`invalid sender address ${options.from}`);
  }
  if (options.replyTo !== undefined && !validateEmailAddress(mailboxOf(options.replyTo) ?? '')) {
    throw new EmailError(`invalid reply-to address ${options.replyTo}`);
  }
  const { text, html } = emailBodies(message.content, texts);
  const composer = new MailComposer({
    from: options.from,
    ...(options.replyTo ? { replyTo: options.replyTo } : {}),
    to: [...recipients],
    subject: message.content.subject,
    messageId: `<${message.messageKey}@${sender.slice(sender.lastIndexOf('@') + 1)}>`,
    date: options.date ?? new Date(),
    text,
    html,
    ...(message.attachment
      ? { attachments: [{ ...message.attachment, contentType: 'application/pdf' }] }
      : {}),
    headers: { ...message.headers, 'Content-Language': texts.bcp47 },
    xMailer: false,
  });
  return composer.compile().build();
}
