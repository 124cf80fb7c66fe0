/**
 * The credit note's email (avoir): to the buyer's billing emails, in the invoice's language, the PDF
 * attached.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { CreditedInvoice } from '../pdf/credit-note.js';
import { catalogueFor } from '../texts/catalogue.js';
import { moneyFormatter } from '../texts/format.js';
import { escapeHtml, InvoiceEmailError, type InvoiceEmailOptions, validateEmailAddress } from './invoice.js';

/**
 * The credit note's email, raw MIME for SES SendRawEmail: to the buyer's billing emails, the PDF attached
 * as avoir-AV-2026-000001.pdf (credit-note-… in English), plain text and HTML bodies.
 */
export async function buildCreditNoteEmail(
  creditNote: CreditNote,
  invoice: CreditedInvoice,
  pdf: Buffer,
  options: Pick<InvoiceEmailOptions, 'from' | 'date'>,
): Promise<Buffer> {
  const recipients = invoice.buyer.billingEmails;
  const invalid = recipients.filter((address) => !validateEmailAddress(address));
  if (recipients.length === 0 || invalid.length > 0) {
    throw new InvoiceEmailError(
      `credit note ${creditNote.number}: no valid billing email (${invalid.join(', ') || 'none'})`,
    );
  }
  const language = invoice.language;
  const texts = catalogueFor(language);
  const credit = texts.creditNote;
  const amount = moneyFormatter(creditNote.currency, language)(creditNote.totals.grossMinor);
  const subject = credit.email.subject(
    creditNote.number,
    invoice.issuer.legalName,
    amount,
    creditNote.invoiceNumber,
  );
  const intro = credit.email.intro(creditNote.number, invoice.issuer.legalName, creditNote.invoiceNumber);
  const applied = credit.applied(amount, creditNote.invoiceNumber);
  const composer = new MailComposer({
    from: options.from,
    to: recipients,
    subject,
    date: options.date ?? new Date(),
    text: [
      texts.email.greeting,
      '',
      intro,
      applied,
      '',
      texts.email.signOff,
      invoice.issuer.legalName,
      '',
    ].join('\n'),
    html: [
      '<!DOCTYPE html>',
      `<html lang="${texts.bcp47}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1b1f24;line-height:1.5">',
      `<p>${escapeHtml(texts.email.greeting)}</p><p>${escapeHtml(intro)}</p><p><strong>${escapeHtml(applied)}</strong></p>`,
      `<p>${escapeHtml(texts.email.signOff)}<br>${escapeHtml(invoice.issuer.legalName)}</p>`,
      '</body></html>',
      '',
    ].join('\n'),
    attachments: [
      {
        filename: `${credit.fileStem}-${creditNote.number}.pdf`,
        content: pdf,
        contentType: 'application/pdf',
      },
    ],
    headers: { 'X-Credit-Note-Number': creditNote.number, 'Content-Language': texts.bcp47 },
    xMailer: false,
  });
  return composer.compile().build();
}
