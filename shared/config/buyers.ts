import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { ENV, readEnv, required } from './env.js';

/** What the buyer-access use cases read from the environment. */
export interface BuyerAccessConfig {
  /** The product's sender: invitations and sign-in emails leave from the invoices' address. */
  sender: string;
  /** The portal's sign-in page, where the link in the email leads. */
  portalUrl: string;
}

const BUYER_VARIABLES = {
  [ENV.invoiceSender]: required(),
  [ENV.buyerPortalUrl]: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
};

/** Reads and checks the buyer-access settings once per container, failing fast with the variable's name. */
export function loadBuyerAccessConfig(env: NodeJS.ProcessEnv = process.env): BuyerAccessConfig {
  const variables = readEnv(BUYER_VARIABLES, env);
  return { sender: variables[ENV.invoiceSender], portalUrl: variables[ENV.buyerPortalUrl] };
}
