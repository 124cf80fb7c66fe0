/**
 * The invoice email: to every billing email of the buyer, in the invoice's language, the PDF attached.
 * Every figure comes from the invoice record and is formatted by the same functions as the PDF.
 */
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { catalogueFor } from '../texts/catalogue.js';
import { formatIban, formatLocalDate, moneyFormatter } from '../texts/format.js';
import type { EmailContent, Fact } from './layout.js';
import { buildEmail, EmailError, type EmailOptions, mailboxOf } from './mime.js';

/**
 * The invoice email, raw MIME ready for SES SendRawEmail. Subject "Facture 2026-000123 — Issuer —
 * 1 234,56 € à régler au plus tard le 15/01/2027" (or English); the body states the amount due, the due
 * date, the period and how to pay (IBAN when configured); the PDF is attached as facture-2026-000123.pdf
 * (invoice-… in English); replies go to the issuer's email when it is not the sender. The Message-ID is
 * `<invoiceId.number@sender-domain>`, and the number also travels in an `X-Invoice-Number` header.
 *
 * Throws an EmailError for a draft (no number or dates), missing or invalid recipients, or an invalid
 * sender.
 */
export async function buildInvoiceEmail(
  invoice: Invoice,
  pdf: Buffer,
  options: EmailOptions,
): Promise<Buffer> {
  const { number, issueDate, dueDate } = invoice;
  if (!number || !issueDate || !dueDate) {
    throw new EmailError(`invoice ${invoice.invoiceId} is not issued: it has no number or dates`);
  }
  const texts = catalogueFor(invoice.language);
  const issuerEmail = invoice.issuer.email;
  const sender = mailboxOf(options.from)?.toLowerCase();
  const replyTo = options.replyTo ?? (issuerEmail.toLowerCase() !== sender ? issuerEmail : undefined);
  return buildEmail(
    {
      about: `invoice ${invoice.invoiceId}`,
      to: invoice.buyer.billingEmails,
      messageKey: `${invoice.invoiceId}.${number}`,
      content: emailContent(invoice, number, dueDate),
      attachment: { filename: `${texts.invoice.fileStem}-${number}.pdf`, content: pdf },
      headers: { 'X-Invoice-Number': number },
    },
    texts,
    { ...options, ...(replyTo ? { replyTo } : {}) },
  );
}

/** Subject and body in the invoice's language, every figure formatted as on the PDF. */
function emailContent(invoice: Invoice, number: string, dueDate: string): EmailContent {
  const language = invoice.language;
  const words = catalogueFor(language).invoice;
  const issuer = invoice.issuer;
  const amount = moneyFormatter(invoice.currency, language)(invoice.amountDueMinor);
  const due = formatLocalDate(dueDate, language);
  const period = words.periodRange(
    formatLocalDate(invoice.period.startDate, language),
    formatLocalDate(invoice.period.endDate, language),
  );
  const bank: Fact[] = issuer.iban
    ? [[words.iban, formatIban(issuer.iban)], ...(issuer.bic ? [[words.bic, issuer.bic] as const] : [])]
    : [];
  return {
    subject: words.email.subject(number, issuer.legalName, amount, due),
    blocks: [
      { kind: 'paragraph', text: words.email.intro(number, issuer.legalName, period) },
      {
        kind: 'facts',
        facts: [
          [words.email.amountDue, amount],
          [words.dueDate, due],
          [words.period, period],
        ],
        strongFirst: true,
      },
      {
        kind: 'facts',
        title: issuer.iban ? words.email.howToPay : words.noBankDetails(issuer.email),
        facts: bank,
        note: issuer.iban ? `${words.paymentReference(number)}.` : undefined,
      },
      { kind: 'paragraph', text: words.email.questions(issuer.email) },
    ],
    closing: [catalogueFor(language).email.signOff, issuer.legalName],
  };
}
