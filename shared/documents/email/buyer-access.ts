/**
 * The buyer portal's emails, in the buyer's language: the invitation to an account, and the sign-in email
 * with its one-time link and code. Notices without attachment: subject and bodies, which the mail
 * provider composes (NoticeMailer), so the buyers function does not carry the MIME builder.
 */
import { catalogueFor } from '../texts/catalogue.js';
import type { Language } from '../texts/format.js';
import { emailBodies } from './layout.js';

/** A notice ready to send: its subject and its two bodies. */
export interface Notice {
  subject: string;
  text: string;
  html: string;
}

/** The invitation of a person to an account. */
export function buildBuyerInvitationEmail(invitation: {
  to: string;
  name: string;
  accountName: string;
  role: 'viewer' | 'admin';
  language: Language;
  portalUrl: string;
}): Notice {
  const texts = catalogueFor(invitation.language);
  const words = texts.buyerAccess.invitation;
  const content = {
    subject: words.subject(invitation.accountName),
    blocks: [
      {
        kind: 'paragraph' as const,
        text: words.invited(invitation.name, invitation.accountName, words.roles[invitation.role]),
      },
      { kind: 'paragraph' as const, text: words.howToSignIn(invitation.portalUrl, invitation.to) },
    ],
    closing: [],
  };
  return { subject: content.subject, ...emailBodies(content, texts) };
}

/** The sign-in email: the code, the link, how long they last. */
export function buildSignInEmail(signIn: {
  to: string;
  code: string;
  linkUrl: string;
  language: Language;
}): Notice {
  const texts = catalogueFor(signIn.language);
  const words = texts.buyerAccess.signIn;
  const content = {
    subject: words.subject(signIn.code),
    blocks: [
      { kind: 'paragraph' as const, text: words.code(signIn.code), strong: true },
      { kind: 'paragraph' as const, text: words.link(signIn.linkUrl) },
      { kind: 'paragraph' as const, text: words.validity },
      { kind: 'paragraph' as const, text: words.notYou },
    ],
    closing: [],
  };
  return { subject: content.subject, ...emailBodies(content, texts) };
}
