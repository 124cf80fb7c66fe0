/**
 * The invoice email as raw MIME for SES SendRawEmail: multipart/mixed holding a multipart/alternative
 * (plain text and HTML) and the PDF. Built with nodemailer's MailComposer (maintained, RFC 2047 subjects,
 * quoted-printable bodies, base64 attachments, address encoding) without any of its transports: sending
 * is the mailer adapter's job.
 *
 * Every figure comes from the invoice record and is formatted by the same functions as the PDF.
 */
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { catalogueFor } from '../texts/catalogue.js';
import { formatIban, formatLocalDate, labelled, moneyFormatter } from '../texts/format.js';

export interface InvoiceEmailOptions {
  /** The From address, a verified SES identity: `factures@example.com` or `Name <factures@example.com>`. */
  from: string;
  /** Where replies go; default: the issuer's email when it differs from the From address. */
  replyTo?: string;
  /** The Date header; default: now. */
  date?: Date;
}

/** The invoice cannot be emailed as it is (a draft, no or invalid recipients, an invalid sender). */
export class InvoiceEmailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvoiceEmailError';
  }
}

/** RFC 5322 dot-atom characters of a local part. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * Whether an address is one we will send an invoice to: a bare addr-spec (no display name), ASCII, a
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

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The bare address of a From value ("Name <a@b.c>" → "a@b.c"). */
function mailboxOf(from: string): string | undefined {
  const [first] = addressparser(from, { flatten: true });
  return first?.address || undefined;
}

/**
 * The invoice email, raw MIME ready for SES SendRawEmail. To: every billing email of the buyer; subject
 * "Facture 2026-000123 — Issuer — 1 234,56 € à régler au plus tard le 15/01/2027" (or English); the body
 * states the amount due, the due date, the period and how to pay (IBAN when configured); the PDF is
 * attached as facture-2026-000123.pdf (invoice-… in English). The Message-ID is derived from the invoice
 * (`<invoiceId.number@sender-domain>`), so every build of the same invoice carries the same one; note that
 * SES replaces Message-ID and Date with its own values when it accepts a message (the id to record is the
 * one SendRawEmail returns), so the invoice number also travels in an `X-Invoice-Number` header.
 *
 * Throws an InvoiceEmailError for a draft (no number or dates), missing or invalid recipients, or an
 * invalid sender.
 */
export async function buildInvoiceEmail(
  invoice: Invoice,
  pdf: Buffer,
  options: InvoiceEmailOptions,
): Promise<Buffer> {
  const { number, issueDate, dueDate } = invoice;
  if (!number || !issueDate || !dueDate) {
    throw new InvoiceEmailError(`invoice ${invoice.invoiceId} is not issued: it has no number or dates`);
  }
  const recipients = invoice.buyer.billingEmails;
  if (recipients.length === 0) {
    throw new InvoiceEmailError(`invoice ${invoice.invoiceId}: the buyer has no billing email`);
  }
  const invalid = recipients.filter((address) => !validateEmailAddress(address));
  if (invalid.length > 0) {
    throw new InvoiceEmailError(
      `invoice ${invoice.invoiceId}: invalid billing email(s) ${invalid.join(', ')}`,
    );
  }
  const sender = mailboxOf(options.from);
  if (!sender || !validateEmailAddress(sender)) {
    throw new InvoiceEmailError(`invalid sender address ${options.from}`);
  }
  const replyTo =
    options.replyTo ??
    (invoice.issuer.email.toLowerCase() !== sender.toLowerCase() ? invoice.issuer.email : undefined);
  if (replyTo !== undefined && !validateEmailAddress(mailboxOf(replyTo) ?? '')) {
    throw new InvoiceEmailError(`invalid reply-to address ${replyTo}`);
  }

  const content = emailContent(invoice, number, dueDate);
  const texts = catalogueFor(invoice.language);
  const composer = new MailComposer({
    from: options.from,
    ...(replyTo ? { replyTo } : {}),
    to: recipients,
    subject: content.subject,
    messageId: `<${invoice.invoiceId}.${number}@${sender.slice(sender.lastIndexOf('@') + 1)}>`,
    date: options.date ?? new Date(),
    text: content.text,
    html: content.html,
    attachments: [
      {
        filename: `${texts.invoice.fileStem}-${number}.pdf`,
        content: pdf,
        contentType: 'application/pdf',
      },
    ],
    headers: { 'X-Invoice-Number': number, 'Content-Language': texts.bcp47 },
    xMailer: false,
  });
  return composer.compile().build();
}

interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Subject and bodies in the invoice's language, every figure formatted as on the PDF. */
function emailContent(invoice: Invoice, number: string, dueDate: string): EmailContent {
  const language = invoice.language;
  const texts = catalogueFor(language);
  const issuer = invoice.issuer;
  const amount = moneyFormatter(invoice.currency, language)(invoice.amountDueMinor);
  const due = formatLocalDate(dueDate, language);
  const period = texts.invoice.periodRange(
    formatLocalDate(invoice.period.startDate, language),
    formatLocalDate(invoice.period.endDate, language),
  );
  const subject = texts.invoice.email.subject(number, issuer.legalName, amount, due);
  const intro = texts.invoice.email.intro(number, issuer.legalName, period);

  const facts: Array<[string, string]> = [
    [texts.invoice.email.amountDue, amount],
    [texts.invoice.dueDate, due],
    [texts.invoice.period, period],
  ];
  const payment: Array<[string, string]> = issuer.iban
    ? [
        [texts.invoice.iban, formatIban(issuer.iban)],
        ...(issuer.bic ? [[texts.invoice.bic, issuer.bic] as [string, string]] : []),
      ]
    : [];
  const paymentIntro = issuer.iban ? texts.invoice.email.howToPay : texts.invoice.noBankDetails(issuer.email);
  const reference = issuer.iban ? texts.invoice.paymentReference(number) : undefined;
  const questions = texts.invoice.email.questions(issuer.email);

  const text = [
    texts.email.greeting,
    '',
    intro,
    '',
    ...facts.map(([label, value]) => labelled(label, value, language)),
    '',
    paymentIntro,
    ...payment.map(([label, value]) => labelled(label, value, language)),
    ...(reference ? [`${reference}.`] : []),
    '',
    questions,
    '',
    texts.email.signOff,
    issuer.legalName,
    '',
  ].join('\n');

  const row = ([label, value]: [string, string], strong = false) =>
    `<tr><td style="padding:4px 16px 4px 0;color:#5b636e">${escapeHtml(label)}</td>` +
    `<td style="padding:4px 0;${strong ? 'font-weight:bold;' : ''}">${escapeHtml(value)}</td></tr>`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${texts.bcp47}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1b1f24;line-height:1.5">',
    `<p>${escapeHtml(texts.email.greeting)}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    '<table role="presentation" style="border-collapse:collapse;margin:12px 0">',
    ...facts.map((fact, index) => row(fact, index === 0)),
    '</table>',
    `<p style="margin-bottom:4px"><strong>${escapeHtml(paymentIntro)}</strong></p>`,
    ...(payment.length > 0
      ? [
          '<table role="presentation" style="border-collapse:collapse;margin:0 0 8px">',
          ...payment.map((entry) => row(entry)),
          '</table>',
        ]
      : []),
    ...(reference ? [`<p style="margin-top:0">${escapeHtml(reference)}.</p>`] : []),
    `<p>${escapeHtml(questions)}</p>`,
    `<p>${escapeHtml(texts.email.signOff)}<br>${escapeHtml(issuer.legalName)}</p>`,
    '</body></html>',
    '',
  ].join('\n');

  return { subject, text, html };
}
