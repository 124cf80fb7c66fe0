import MailComposer from 'nodemailer/lib/mail-composer';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { catalogueFor } from '../texts/catalogue.js';
import { formatLocalDate, moneyFormatter } from '../texts/format.js';

/**
 * A short payment reminder (plain text) for an overdue invoice: number, due date, balance and days late.
 * Its Message-ID names the invoice and the step, so every build of one reminder carries the same one.
 */
export async function buildReminderEmail(
  invoice: Invoice,
  reminder: { step: number; daysOverdue: number; from: string; date?: Date },
): Promise<Buffer> {
  const number = invoice.number ?? invoice.invoiceId;
  const balance = moneyFormatter(
    invoice.currency,
    invoice.language,
  )(invoice.balanceMinor ?? invoice.amountDueMinor);
  const due = invoice.dueDate ? formatLocalDate(invoice.dueDate, invoice.language) : '';
  const texts = catalogueFor(invoice.language);
  const words = texts.reminder.email;
  const subject = words.subject(number, reminder.daysOverdue);
  const text = [
    texts.email.greeting,
    '',
    words.overdue(number, due, balance),
    words.request,
    '',
    invoice.issuer.legalName,
  ].join('\n');
  const domain = reminder.from.slice(reminder.from.lastIndexOf('@') + 1).replace(/>$/, '');
  const composer = new MailComposer({
    from: reminder.from,
    to: invoice.buyer.billingEmails,
    subject,
    text,
    messageId: `<${invoice.invoiceId}.reminder-${reminder.step}@${domain}>`,
    date: reminder.date ?? new Date(),
    headers: { 'X-Invoice-Number': number, 'X-Reminder-Step': String(reminder.step) },
    xMailer: false,
  });
  return composer.compile().build();
}
