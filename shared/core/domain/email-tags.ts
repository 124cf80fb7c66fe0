/** What an email is: the kinds of documents we email, each found again by its ids when SES reports on it. */
export type EmailKind = 'invoice' | 'credit-note' | 'reminder' | 'buyer-notice';

/** The tags naming one email: its kind and the ids of its document (see the Mailer port's EmailTags). */
export interface EmailIdentity {
  kind: EmailKind;
  accountId?: string;
  invoiceId?: string;
  creditNoteId?: string;
  /** The reminder's step (days after the due date). */
  step?: string;
  /** What a buyer notice is (sign-in, invitation). */
  notice?: string;
}

/** The message tags of an email (absent ids left out). */
export function emailTags(identity: EmailIdentity): Record<string, string> {
  return Object.fromEntries(
    Object.entries(identity).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
