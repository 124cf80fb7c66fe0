/**
 * The buyer portal's emails, in the buyer's language: the invitation to an account, and the sign-in email
 * with its one-time link and code.
 */
import { catalogueFor } from '../texts/catalogue.js';
import type { Language } from '../texts/format.js';
import { buildEmail } from './mime.js';

/** The invitation of a person to an account. Throws an EmailError for an invalid address or sender. */
export function buildBuyerInvitationEmail(invitation: {
  to: string;
  name: string;
  accountName: string;
  role: 'viewer' | 'admin';
  language: Language;
  portalUrl: string;
  from: string;
  /** Names the Message-ID: one per membership. */
  membershipKey: string;
}): Promise<Buffer> {
  const texts = catalogueFor(invitation.language);
  const words = texts.buyerAccess.invitation;
  return buildEmail(
    {
      about: `invitation ${invitation.membershipKey}`,
      to: [invitation.to],
      messageKey: `invitation.${invitation.membershipKey}`,
      content: {
        subject: words.subject(invitation.accountName),
        blocks: [
          {
            kind: 'paragraph',
            text: words.invited(invitation.name, invitation.accountName, words.roles[invitation.role]),
          },
          { kind: 'paragraph', text: words.howToSignIn(invitation.portalUrl, invitation.to) },
        ],
        closing: [],
      },
      headers: {},
    },
    texts,
    { from: invitation.from },
  );
}

/** The sign-in email: the code, the link, how long they last. */
export function buildSignInEmail(signIn: {
  to: string;
  code: string;
  linkUrl: string;
  language: Language;
  from: string;
  challengeId: string;
}): Promise<Buffer> {
  const texts = catalogueFor(signIn.language);
  const words = texts.buyerAccess.signIn;
  return buildEmail(
    {
      about: `sign-in ${signIn.challengeId}`,
      to: [signIn.to],
      messageKey: `sign-in.${signIn.challengeId}`,
      content: {
        subject: words.subject(signIn.code),
        blocks: [
          { kind: 'paragraph', text: words.code(signIn.code), strong: true },
          { kind: 'paragraph', text: words.link(signIn.linkUrl) },
          { kind: 'paragraph', text: words.validity },
          { kind: 'paragraph', text: words.notYou },
        ],
        closing: [],
      },
      headers: {},
    },
    texts,
    { from: signIn.from },
  );
}
