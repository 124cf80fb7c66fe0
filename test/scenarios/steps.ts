import { randomUUID } from 'node:crypto';
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { CreateOrderInput, Order } from '../../shared/contracts/schemas/order.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount } from '../support/given.js';
import type { Scene } from './world.js';

/*
 * Given/when steps the scenarios share, on whichever world the scene comes from.
 */

type OrderLine = CreateOrderInput['lines'][number];

/** An enrolled account and its storefront. */
export type EnrolledAccount = Awaited<ReturnType<typeof givenEnrolledAccount>>;

/** A line of an article sold by `seller-1`. */
export const article = (
  sku: string,
  quantity: number,
  unitPriceMinor: number,
  vatRate: number,
): OrderLine => ({
  sku,
  description: `Article ${sku}`,
  quantity,
  unitPriceMinor,
  vatRate,
  sellerId: 'seller-1',
});

/** Given a storefront and an account enrolled with it, with a billing address of its own. */
export function givenAccount(
  scene: Scene,
  overrides: Partial<CreateAccountInput> = {},
): Promise<EnrolledAccount> {
  return givenEnrolledAccount(scene.intake, overrides);
}

/** When the account's storefront places an order (default: `anOrder`'s one line) at that instant. */
export function orderAt(scene: Scene, account: EnrolledAccount, at: string, lines?: OrderLine[]) {
  scene.clock.set(at);
  return placeOrder(scene.intake, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId, lines ? { lines } : {}),
  });
}

/**
 * Given a weekly account whose orders (one basket of lines each, placed at its instant) were billed by a run
 * at the cut-off (06:00 UTC that day), numbered but not delivered: its issued invoices, in the order a payment
 * settles them.
 */
export async function givenIssuedInvoices(
  scene: Scene,
  baskets: ReadonlyArray<{ at: string; lines: OrderLine[] }>,
  cutOff: string,
): Promise<{ account: EnrolledAccount; orders: Order[]; invoices: Invoice[] }> {
  const account = await givenAccount(scene, { billingCycle: 'weekly', creditLimitMinor: 1_000_000 });
  const orders: Order[] = [];
  for (const basket of baskets) orders.push((await orderAt(scene, account, basket.at, basket.lines)).order);
  scene.clock.set(`${cutOff}T06:00:00Z`);
  const { invoices } = await runBillingSteps(scene.billing, {
    cutOff,
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  // Oldest due first, then by number: the order a payment settles them in. (Drafts built in the same
  // instant are numbered in any order among themselves, so periods alone do not tell.)
  const due = (invoice: Invoice) => `${invoice.dueDate}#${invoice.number}`;
  const issued = invoices
    .filter((invoice) => invoice.status === 'issued')
    .sort((a, b) => due(a).localeCompare(due(b)));
  return { account, orders, invoices: issued };
}
