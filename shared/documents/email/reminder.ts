/**
 * The payment reminder of an overdue invoice: to the buyer's billing emails, in the invoice's language.
 */
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { catalogueFor } from '../texts/catalogue.js';
import { formatLocalDate, moneyFormatter } from '../texts/format.js';
import { buildEmail } from './mime.js';

/**
 * A short payment reminder for an overdue invoice: number, due date, balance and days late. Its
 * Message-ID names the invoice and the step (`<invoiceId.reminder-15@sender-domain>`), so every build of
 * one reminder carries the same one. Throws an EmailError for missing or invalid recipients or an invalid
 * sender.
 */
export async function buildReminderEmail(
  invoice: Invoice,
  reminder: { step: number; daysOverdue: number; from: string; date?: Date },
): Promise<Buffer> {
  const texts = catalogueFor(invoice.language);
  const words = texts.reminder.email;
  const number = invoice.number ?? invoice.invoiceId;
  const balance = moneyFormatter(
    invoice.currency,
    invoice.language,
  )(invoice.balanceMinor ?? invoice.amountDueMinor);
  const due = invoice.dueDate ? formatLocalDate(invoice.dueDate, invoice.language) : '';
  return buildEmail(
    {
      about: `reminder ${reminder.step} of invoice ${number}`,
      to: invoice.buyer.billingEmails,
      messageKey: `${invoice.invoiceId}.reminder-${reminder.step}`,
      content: {
        subject: words.subject(number, reminder.daysOverdue),
        blocks: [
          { kind: 'paragraph', text: words.overdue(number, due, balance) },
          { kind: 'paragraph', text: words.request },
        ],
        closing: [invoice.issuer.legalName],
      },
      headers: { 'X-Invoice-Number': number, 'X-Reminder-Step': String(reminder.step) },
    },
    texts,
    { from: reminder.from, ...(reminder.date ? { date: reminder.date } : {}) },
  );
}
