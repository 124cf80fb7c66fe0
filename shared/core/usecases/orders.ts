import type { CreateOrderInput, Order } from '../../contracts/schemas/order.js';
import { DEFAULT_UNIT_CODE } from '../../contracts/schemas/order.js';
import type { AccountRecord } from '../domain/accounts.js';
import type { Principal } from '../domain/api-keys.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import { checkEligibility, type EligibilityRefusal } from '../domain/eligibility.js';
import { type AttemptOutcome, contentionBackoff, runIdempotent } from '../domain/idempotency.js';
import { computeTotals } from '../domain/money.js';
import { orderIdFor } from '../domain/order-id.js';
import {
  assignBillingPeriod,
  billingPeriodFor,
  billingPeriodStartingOn,
  localDate,
} from '../domain/periods.js';
import {
  defaultVatCategory,
  type VatCategory,
  vatCategoryBuyerProblem,
  vatCategoryRateProblem,
} from '../domain/vat-categories.js';
import { conflict, DomainError, forbidden, notFound, refused, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import { BUSINESS_METRICS, type Metrics } from '../ports/metrics.js';
import type { OrderStore } from '../ports/orders.js';
import type { SellerStore } from '../ports/sellers.js';
import type { AccountSnapshots } from './account-snapshots.js';
import type { SellerDirectory } from './seller-directory.js';

/**
 * Attempts when the account item is contended. Concurrent orders for one account conflict in DynamoDB
 * transactions; each retry re-reads nothing unless a condition failed, and backs off with full jitter.
 */
const MAX_ATTEMPTS = 12;

export interface OrderDeps {
  accounts: AccountStore;
  /** Optional per-container hint cache of accounts (see AccountSnapshots). */
  accountSnapshots?: AccountSnapshots;
  orders: OrderStore;
  /** Registered sellers: an order line must name one. */
  sellers: Pick<SellerStore, 'legalNames'>;
  /** Optional per-container memory of known sellers (see SellerDirectory). */
  sellerDirectory?: SellerDirectory;
  clock: Clock;
  timeZone: string;
  /** VAT rates (percent) an order line may carry: the issuer's country's (configuration). */
  vatRates: readonly number[];
  /** VAT categories an order line may carry (configuration): E only when the issuer has its reason. */
  vatCategories: readonly VatCategory[];
  /** Orders accepted, and refused by problem code (the dashboard's intake panel); none in some tests. */
  metrics?: Metrics;
}

/**
 * The member state of the issuer, for the intra-community rule (K needs a buyer VAT id of another state).
 * The issuer is a French company (its VAT rates, SIREN and the French e-invoicing rules say so).
 */
const ISSUER_COUNTRY = 'FR';

export interface PlaceOrderResult {
  status: number;
  order: Order;
  /** True when this answer is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Accepts a deferred-payment order exactly once per idempotency key (the one idempotent command): computes
 * totals and the billing period, checks eligibility, and records idempotency record, order and exposure in
 * one transaction whose condition carries every eligibility rule again.
 */
export async function placeOrder(
  deps: OrderDeps,
  request: { storefrontId: string; idempotencyKey: string; input: CreateOrderInput },
): Promise<PlaceOrderResult> {
  const { storefrontId, input, idempotencyKey } = request;
  const requestHash = requestFingerprint(input);
  // The key's order, whichever attempt or retry writes it: its lookup item is the key's claim.
  const orderId = orderIdFor(storefrontId, idempotencyKey);
  // Computed once, on the first attempt (a refusal here may still be the replay of an accepted order).
  let prepared: { totals: ReturnType<typeof computeTotals>; sellerNames: Map<string, string> } | undefined;
  // Where the next read of the account comes from: the container's snapshot if any, else DynamoDB.
  let read: 'snapshot' | 'eventual' | 'consistent' = 'snapshot';
  const attempt = async (): Promise<AttemptOutcome<Order>> => {
    prepared ??= await prepareOrder(deps, input);
    const { totals, sellerNames } = prepared;
    let account = read === 'snapshot' ? deps.accountSnapshots?.get(input.accountId) : undefined;
    const fromSnapshot = account !== undefined;
    if (!account) {
      account = await deps.accounts.get(input.accountId, { consistent: read === 'consistent' });
      if (account) deps.accountSnapshots?.set(account);
    }
    if (!account) throw notFound('account', input.accountId);
    const now = deps.clock.now();
    const orderDate = localDate(now, deps.timeZone);
    const facts = { storefrontId, currency: input.currency, orderDate, grossMinor: totals.totals.grossMinor };
    const refusal = checkEligibility(account, facts);
    const buyerRefusal = refusal ? undefined : vatCategoryBuyerRefusal(input.lines, account);
    if ((refusal || buyerRefusal) && fromSnapshot) {
      // Never refuse on a remembered state: confirm with a fresh read first.
      read = 'consistent';
      return { kind: 'reread' };
    }
    if (refusal) throw refusalError(refusal, account);
    if (buyerRefusal) throw buyerRefusal;

    const order: Order = {
      orderId,
      accountId: input.accountId,
      storefrontId,
      reference: input.reference,
      ...(input.purchaseOrderNumber ? { purchaseOrderNumber: input.purchaseOrderNumber } : {}),
      currency: input.currency,
      ...(input.deliveryAddress ? { deliveryAddress: input.deliveryAddress } : {}),
      status: 'accepted',
      receivedAt: now.toISOString(),
      billingPeriod: assignBillingPeriod(now, account.billingCycle, deps.timeZone, account.closedThrough),
      lines: input.lines.map((line, index) => ({
        lineNumber: index + 1,
        ...line,
        vatCategory: line.vatCategory ?? defaultVatCategory(line.vatRate),
        unitCode: line.unitCode ?? DEFAULT_UNIT_CODE,
        // The seller's legal name as it is today: documents print it, however the seller is renamed later.
        sellerName: sellerNames.get(line.sellerId) as string,
        netMinor: totals.lineNets[index] as number,
      })),
      vatBreakdown: totals.vatBreakdown,
      totals: totals.totals,
    };
    // The hash, not the answer: a replay rebuilds it from the order (orderAnswer).
    const outcome = await deps.orders.place({
      order,
      requestHash,
      expected: { billingCycle: account.billingCycle },
      orderDate,
    });
    switch (outcome.kind) {
      case 'accepted':
        deps.accountSnapshots?.recordOrder(order.accountId, order.totals.grossMinor);
        return { kind: 'written', status: 201, body: orderAnswer(order) };
      case 'account-condition-failed': {
        if (!outcome.account) throw notFound('account', input.accountId);
        deps.accountSnapshots?.set(outcome.account);
        const actual = checkEligibility(outcome.account, facts);
        if (actual) throw refusalError(actual, outcome.account);
        // The cycle or the closed periods moved under us: read again, consistently, and recompute.
        read = 'consistent';
        return { kind: 'reread' };
      }
      case 'account-conflict':
        read = 'snapshot';
        return { kind: 'contended' };
      default:
        return outcome;
    }
  };
  let result: Awaited<ReturnType<typeof runIdempotent<Order>>>;
  try {
    result = await runIdempotent<Order>(
      {
        what: 'order',
        requestHash,
        findRecord: () => deps.orders.findIdempotencyRecord(orderId),
        now: () => deps.clock.now(),
        maxAttempts: MAX_ATTEMPTS,
        rebuild: async (record) => {
          const stored = await deps.orders.get(record.resourceId as string);
          if (!stored) throw new Error(`Order ${record.resourceId} of an idempotency record is missing`);
          return orderAnswer({ ...stored, status: 'accepted', cancelledAt: undefined });
        },
        busy: () =>
          conflict(
            'account_busy',
            'Too many orders for this account at the same moment; retry with the same Idempotency-Key.',
          ),
      },
      attempt,
    );
  } catch (error) {
    // A refusal the caller sees (4xx), by its problem code; a 5xx is an error, which the Lambda alarms count.
    if (error instanceof DomainError && error.status < 500) {
      deps.metrics?.count(BUSINESS_METRICS.ordersRefused, 1, { code: error.code });
    }
    throw error;
  }
  // A replay answers an order accepted (and counted) before.
  if (!result.replayed) deps.metrics?.count(BUSINESS_METRICS.ordersAccepted);
  return { status: result.status, order: result.body, replayed: result.replayed };
}

/**
 * The answer to an accepted order, its members in one fixed order, built the same way from the order just
 * written and from the order read back for a replay (as accepted: a cancel or the billing run changed its
 * status since), so the replay is byte for byte the first answer without storing it (invariant 2).
 */
function orderAnswer(order: Order): Order {
  const address = order.deliveryAddress;
  return {
    orderId: order.orderId,
    accountId: order.accountId,
    storefrontId: order.storefrontId,
    reference: order.reference,
    purchaseOrderNumber: order.purchaseOrderNumber,
    currency: order.currency,
    deliveryAddress: address && {
      line1: address.line1,
      line2: address.line2,
      postalCode: address.postalCode,
      city: address.city,
      region: address.region,
      country: address.country,
    },
    status: order.status,
    receivedAt: order.receivedAt,
    billingPeriod: {
      cycle: order.billingPeriod.cycle,
      timeZone: order.billingPeriod.timeZone,
      startDate: order.billingPeriod.startDate,
      endDate: order.billingPeriod.endDate,
      startsAt: order.billingPeriod.startsAt,
      endsAt: order.billingPeriod.endsAt,
    },
    lines: order.lines.map((line) => ({
      lineNumber: line.lineNumber,
      sku: line.sku,
      description: line.description,
      quantity: line.quantity,
      unitPriceMinor: line.unitPriceMinor,
      vatRate: line.vatRate,
      vatCategory: line.vatCategory,
      unitCode: line.unitCode,
      sellerId: line.sellerId,
      sellerName: line.sellerName,
      netMinor: line.netMinor,
    })),
    vatBreakdown: order.vatBreakdown.map((entry) => ({
      category: entry.category,
      vatRate: entry.vatRate,
      baseMinor: entry.baseMinor,
      vatMinor: entry.vatMinor,
    })),
    totals: {
      netMinor: order.totals.netMinor,
      vatMinor: order.totals.vatMinor,
      grossMinor: order.totals.grossMinor,
    },
    cancelledAt: order.cancelledAt,
  };
}

/** What an order's lines decide before any account is read: accepted VAT rates, exact totals, sellers. */
async function prepareOrder(deps: OrderDeps, input: CreateOrderInput) {
  // An order accepted before the accepted rates changed is still replayed as it was (runIdempotent).
  const vatRefusal =
    vatRateRefusal(input.lines, deps.vatRates) ?? vatCategoryRefusal(input.lines, deps.vatCategories);
  if (vatRefusal) throw vatRefusal;
  let totals: ReturnType<typeof computeTotals>;
  try {
    totals = computeTotals(input.lines);
  } catch (error) {
    if (error instanceof RangeError) {
      throw refused('amount_too_large', 'The order total is too large to be represented exactly.', [
        { field: 'lines', reason: error.message },
      ]);
    }
    throw error;
  }
  return { totals, sellerNames: await registeredSellerNames(deps, input.lines) };
}

/**
 * The refusal of lines whose VAT rate the issuer's country does not have (a 7.7 % or 100 % line could
 * never be invoiced legally), naming each line and the rates accepted; undefined when all are accepted.
 * Stored orders are never re-checked: one accepted before a configuration change still bills.
 */
export function vatRateRefusal(
  lines: readonly { vatRate: number }[],
  accepted: readonly number[],
): DomainError | undefined {
  const list = accepted.join(', ');
  const errors = lines.flatMap((line, index) =>
    accepted.includes(line.vatRate)
      ? []
      : [{ field: `lines.${index}.vatRate`, reason: `must be one of the accepted VAT rates: ${list}` }],
  );
  if (errors.length === 0) return undefined;
  return new DomainError(
    'validation_failed',
    400,
    'Validation failed',
    `Only these VAT rates (percent) are accepted: ${list}.`,
    errors,
    { acceptedVatRates: accepted },
  );
}

/**
 * The refusal of lines whose VAT category contradicts their rate (S needs a rate above 0; Z, E, AE and K
 * bear no VAT) or that the issuer cannot invoice (E without the issuer's exemption reason: the invoice must
 * say which article exempts it), naming each line; undefined when all are fine.
 */
export function vatCategoryRefusal(
  lines: readonly { vatRate: number; vatCategory?: VatCategory | undefined }[],
  accepted: readonly VatCategory[],
): DomainError | undefined {
  const errors = lines.flatMap((line, index) => {
    if (line.vatCategory === undefined) return [];
    const field = `lines.${index}.vatCategory`;
    if (!accepted.includes(line.vatCategory)) {
      return [
        {
          field,
          reason:
            line.vatCategory === 'E'
              ? 'category E (exempt) needs the exemption reason (code and article) in the issuer configuration, which has none'
              : `must be one of the accepted VAT categories: ${accepted.join(', ')}`,
        },
      ];
    }
    const problem = vatCategoryRateProblem(line.vatCategory, line.vatRate);
    return problem ? [{ field, reason: problem }] : [];
  });
  if (errors.length === 0) return undefined;
  return refused(
    'vat_category_invalid',
    'A line carries a VAT category that contradicts its rate or that cannot be invoiced.',
    errors,
    { acceptedVatCategories: accepted },
  );
}

/**
 * The refusal of lines whose VAT category the buyer cannot receive: reverse charge (AE) for a buyer without
 * a VAT id, an intra-community supply (K) for a buyer without an EU VAT id of another member state.
 */
function vatCategoryBuyerRefusal(
  lines: CreateOrderInput['lines'],
  account: Pick<AccountRecord, 'vatId' | 'accountId'>,
): DomainError | undefined {
  const errors = lines.flatMap((line, index) => {
    const problem = line.vatCategory
      ? vatCategoryBuyerProblem(line.vatCategory, account, ISSUER_COUNTRY)
      : undefined;
    return problem ? [{ field: `lines.${index}.vatCategory`, reason: problem }] : [];
  });
  if (errors.length === 0) return undefined;
  return refused(
    'vat_category_not_allowed_for_buyer',
    `Account ${account.accountId} cannot receive a line of this VAT category: ${errors[0]?.reason}.`,
    errors,
  );
}

/**
 * The legal names of the sellers an order's lines name, from the container's memory or one consistent
 * BatchGetItem for those it does not know. A line naming an unregistered seller refuses the order (422
 * `seller_not_found`, each such line named); nothing is recorded.
 */
async function registeredSellerNames(
  deps: Pick<OrderDeps, 'sellers' | 'sellerDirectory'>,
  lines: CreateOrderInput['lines'],
): Promise<Map<string, string>> {
  const lookup = (sellerIds: readonly string[]) => deps.sellers.legalNames(sellerIds);
  const sellerIds = lines.map((line) => line.sellerId);
  const names = deps.sellerDirectory
    ? await deps.sellerDirectory.legalNames(sellerIds, lookup)
    : await lookup(sellerIds);
  const errors = lines.flatMap((line, index) =>
    names.has(line.sellerId)
      ? []
      : [{ field: `lines.${index}.sellerId`, reason: `seller ${line.sellerId} is not registered` }],
  );
  if (errors.length > 0) {
    throw refused(
      'seller_not_found',
      'An order line names a seller that is not registered; an operator registers it with POST /v1/sellers.',
      errors,
    );
  }
  return names;
}

function refusalError(refusal: EligibilityRefusal, account: AccountRecord): DomainError {
  if (refusal.rule === 'storefront_not_allowed') {
    return new DomainError(refusal.rule, 403, 'Storefront not allowed', refusal.detail, [
      { field: refusal.field, reason: 'is not enrolled with this storefront' },
    ]);
  }
  // Signed, as the exposure route shows it: negative says how far over its limit the account already is
  // (a limit lowered below the exposure), which 0 would hide.
  const extensions =
    refusal.rule === 'credit_limit_exceeded'
      ? { availableCreditMinor: account.exposure.availableCreditMinor, currency: account.currency }
      : {};
  return refused(
    refusal.rule,
    refusal.detail,
    [{ field: refusal.field, reason: refusal.detail }],
    extensions,
  );
}

/** Reads an order the caller may see: a storefront sees the orders it placed, an operator every order. */
export async function getOrder(
  deps: Pick<OrderDeps, 'orders' | 'accounts'>,
  principal: Principal,
  orderId: string,
): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order || (principal.role === 'storefront' && order.storefrontId !== principal.storefrontId)) {
    throw notFound('order', orderId);
  }
  if (order.status !== 'accepted') return order;
  const account = await deps.accounts.get(order.accountId, { consistent: true });
  return withBillingStatus(order, account?.closedThrough);
}

/**
 * An accepted order whose period the billing run has closed is billed: it is (or is about to be) on that
 * period's invoice and can no longer be cancelled. The order item itself is never rewritten for that;
 * the account's `closedThrough` says it.
 */
export function withBillingStatus(order: Order, closedThrough: string | undefined): Order {
  return order.status === 'accepted' &&
    closedThrough !== undefined &&
    order.billingPeriod.startDate < closedThrough
    ? { ...order, status: 'billed' }
    : order;
}

/** Lists an account's orders in one billing period (the current one by default), a page at a time. */
export async function listOrders(
  deps: OrderDeps,
  principal: Principal,
  request: { accountId: string; periodStart?: string; limit: number; cursor?: string },
): Promise<{ items: Order[]; nextCursor?: string }> {
  const account = await deps.accounts.get(request.accountId);
  if (!account) throw notFound('account', request.accountId);
  if (principal.role === 'storefront' && !account.storefrontIds.includes(principal.storefrontId ?? '')) {
    throw forbidden(`Account ${request.accountId} is not enrolled with this storefront.`);
  }
  const periodStart =
    request.periodStart ?? billingPeriodFor(deps.clock.now(), account.billingCycle, deps.timeZone).startDate;
  if (!billingPeriodStartingOn(periodStart, account.billingCycle, deps.timeZone)) {
    throw validationFailed([
      { field: 'periodStart', reason: `is not the first day of a ${account.billingCycle} billing period` },
    ]);
  }
  const page = await deps.orders.listForPeriod(request.accountId, periodStart, {
    limit: request.limit,
    ...(request.cursor ? { cursor: request.cursor } : {}),
    ...(principal.role === 'storefront' && principal.storefrontId
      ? { storefrontId: principal.storefrontId }
      : {}),
  });
  return { ...page, items: page.items.map((order) => withBillingStatus(order, account.closedThrough)) };
}

/** Cancels an order not billed yet and releases its exposure; cancelling twice answers the same order. */
export async function cancelOrder(deps: OrderDeps, principal: Principal, orderId: string): Promise<Order> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await getOrder(deps, principal, orderId);
    if (order.status === 'cancelled') return order;
    if (order.status !== 'accepted') {
      throw conflict(
        'order_already_billed',
        `Order ${orderId} is ${order.status}; correct it with a credit note.`,
      );
    }
    const cancelledAt = deps.clock.now().toISOString();
    const outcome = await deps.orders.cancel(order, cancelledAt);
    if (outcome.kind === 'cancelled') return { ...order, status: 'cancelled', cancelledAt };
    if (outcome.kind === 'not-cancellable' && outcome.status === 'billed') {
      throw conflict('order_already_billed', `Order ${orderId} is billed; correct it with a credit note.`);
    }
    if (outcome.kind === 'conflict') await contentionBackoff(attempt);
    // not-cancellable: the status changed under us; the next read tells which answer to give.
  }
  throw conflict('order_busy', `Order ${orderId} is being changed; retry.`);
}
