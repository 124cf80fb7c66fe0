import type { EInvoiceState, InvoiceChannel } from '../../contracts/schemas/einvoice.js';

/**
 * How an account's invoices travel (issue 10): the approved platform, email, or both. Pure rules, shared by
 * enrolment, the invoice builder, numbering (which queues an email only when one is due) and the delivery
 * steps.
 */

/**
 * The channel an account gets when enrolment names none: `platform` for a French buyer with a SIREN (a
 * domestic B2B invoice must travel through an approved platform from September 2026), `email` otherwise
 * (a foreign buyer has no French platform to receive it; its PDF is the Factur-X).
 */
export function defaultInvoiceChannel(account: {
  siren?: string | undefined;
  billingAddress: { country: string };
}): InvoiceChannel {
  return account.billingAddress.country === 'FR' && account.siren ? 'platform' : 'email';
}

/** An account's channel: the one it stores, else (enrolled before channels existed) the default rule's. */
export function invoiceChannelOf(account: {
  invoiceChannel?: InvoiceChannel | undefined;
  siren?: string | undefined;
  billingAddress: { country: string };
}): InvoiceChannel {
  return account.invoiceChannel ?? defaultInvoiceChannel(account);
}

export const channelIncludesPlatform = (channel: InvoiceChannel): boolean => channel !== 'email';
export const channelIncludesEmail = (channel: InvoiceChannel): boolean => channel !== 'platform';

/**
 * The e-invoice state a new invoice starts with: its account's channel, copied so a later change of the
 * account never changes how an issued invoice was sent, and a submission `pending` when the platform is
 * among its channels.
 */
export function initialEInvoiceState(channel: InvoiceChannel): EInvoiceState {
  return {
    channel,
    ...(channelIncludesPlatform(channel) ? { submission: { state: 'pending', attempts: 0 } } : {}),
    history: [],
  };
}

/** An invoice built before e-invoicing has no state: it was (and is) sent by email, nothing to submit. */
export function einvoiceOf(invoice: { einvoice?: EInvoiceState | undefined }): EInvoiceState {
  return invoice.einvoice ?? { channel: 'email', history: [] };
}

/** Whether an invoice is emailed: its channel includes email (an older invoice always is). */
export function invoiceIsEmailed(invoice: { einvoice?: EInvoiceState | undefined }): boolean {
  return channelIncludesEmail(einvoiceOf(invoice).channel);
}
