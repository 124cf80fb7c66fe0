/**
 * The credit note's email (avoir): to the buyer's billing emails, in the invoice's language, the PDF
 * attached.
 */
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { CreditedInvoice } from '../pdf/credit-note.js';
import { catalogueFor } from '../texts/catalogue.js';
import { moneyFormatter } from '../texts/format.js';
import { buildEmail, type EmailOptions } from './mime.js';

/**
 * The credit note's email, raw MIME for SES SendRawEmail: to the buyer's billing emails, the PDF attached
 * as avoir-AV-2026-000001.pdf (credit-note-… in English), saying which invoice it corrects and that the
 * amount comes off its balance. The Message-ID is `<creditNoteId.number@sender-domain>`. Throws an
 * EmailError for missing or invalid recipients or an invalid sender.
 */
export async function buildCreditNoteEmail(
  creditNote: CreditNote,
  invoice: CreditedInvoice,
  pdf: Buffer,
  options: Pick<EmailOptions, 'from' | 'date'>,
): Promise<Buffer> {
  const texts = catalogueFor(invoice.language);
  const words = texts.creditNote;
  const issuer = invoice.issuer.legalName;
  const amount = moneyFormatter(creditNote.currency, invoice.language)(creditNote.totals.grossMinor);
  return buildEmail(
    {
      about: `credit note ${creditNote.number}`,
      to: invoice.buyer.billingEmails,
      messageKey: `${creditNote.creditNoteId}.${creditNote.number}`,
      content: {
        subject: words.email.subject(creditNote.number, issuer, amount, creditNote.invoiceNumber),
        blocks: [
          { kind: 'paragraph', text: words.email.intro(creditNote.number, issuer, creditNote.invoiceNumber) },
          { kind: 'paragraph', text: words.applied(amount, creditNote.invoiceNumber), strong: true },
        ],
        closing: [texts.email.signOff, issuer],
      },
      attachment: { filename: `${words.fileStem}-${creditNote.number}.pdf`, content: pdf },
      headers: { 'X-Credit-Note-Number': creditNote.number },
    },
    texts,
    options,
  );
}
