import { ulid } from 'ulid';
import type { AccountRecord, AccountRepository } from '../../adapters/dynamo/account-repository.js';
import type { IdempotencyRecord, OrderRepository } from '../../adapters/dynamo/order-repository.js';
import type { SellerRepository } from '../../adapters/dynamo/seller-repository.js';
import type { CreateOrderInput, Order } from '../../contracts/schemas/order.js';
import type { Principal } from '../domain/api-keys.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import { checkEligibility, type EligibilityRefusal } from '../domain/eligibility.js';
import {
  contentionBackoff,
  idempotencyKeyInFlight,
  isLive,
  replayOrRefuse as replayIdempotent,
} from '../domain/idempotency.js';
import { computeTotals } from '../domain/money.js';
import {
  assignBillingPeriod,
  billingPeriodFor,
  billingPeriodStartingOn,
  localDate,
} from '../domain/periods.js';
import { conflict, DomainError, forbidden, notFound, refused, validationFailed } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { AccountSnapshots } from './account-snapshots.js';
import type { SellerDirectory } from './seller-directory.js';

/** How long an idempotency key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Attempts when the account item is contended. Concurrent orders for one account conflict in DynamoDB
 * transactions; each retry re-reads nothing unless a condition failed, and backs off with full jitter.
 */
const MAX_ATTEMPTS = 12;

export interface OrderDeps {
  accounts: AccountRepository;
  /** Optional per-container hint cache of accounts (see AccountSnapshots). */
  accountSnapshots?: AccountSnapshots;
  orders: OrderRepository;
  /** Registered sellers: an order line must name one. */
  sellers: Pick<SellerRepository, 'legalNames'>;
  /** Optional per-container memory of known sellers (see SellerDirectory). */
  sellerDirectory?: SellerDirectory;
  clock: Clock;
  timeZone: string;
  /** VAT rates (percent) an order line may carry: the issuer's country's (configuration). */
  vatRates: readonly number[];
}

export interface PlaceOrderResult {
  status: number;
  order: Order;
  /** True when this answer is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/** Checks the `Idempotency-Key` header: 1 to 255 visible ASCII characters (a UUID is ideal). */
export function requireIdempotencyKey(header: string | undefined): string {
  if (header === undefined || !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError(
      'idempotency_key_required',
      400,
      'Idempotency key required',
      'Send an Idempotency-Key header (1 to 255 visible ASCII characters, a UUID is ideal) so retries are safe.',
      [{ field: 'Idempotency-Key', reason: header ? 'is not 1-255 visible ASCII characters' : 'is missing' }],
    );
  }
  return header;
}

/**
 * Accepts a deferred-payment order exactly once per idempotency key: computes totals and the billing
 * period, checks eligibility, and records idempotency record, order and exposure in one transaction.
 */
export async function placeOrder(
  deps: OrderDeps,
  request: { storefrontId: string; idempotencyKey: string; input: CreateOrderInput },
): Promise<PlaceOrderResult> {
  const { storefrontId, input, idempotencyKey } = request;
  const requestHash = requestFingerprint(input);
  const vatRefusal = vatRateRefusal(input.lines, deps.vatRates);
  if (vatRefusal) {
    // An order accepted before the accepted rates changed is still replayed as it was.
    const replay = await replayIfKnown(deps, storefrontId, idempotencyKey, requestHash);
    if (replay) return replay;
    throw vatRefusal;
  }

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
  const sellerNames = await registeredSellerNames(deps, input.lines);

  // Where the next read of the account comes from: the container's snapshot if any, else DynamoDB.
  let read: 'snapshot' | 'eventual' | 'consistent' = 'snapshot';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let account = read === 'snapshot' ? deps.accountSnapshots?.get(input.accountId) : undefined;
    const fromSnapshot = account !== undefined;
    if (!account) {
      account = await deps.accounts.get(input.accountId, { consistent: read === 'consistent' });
      if (account) deps.accountSnapshots?.set(account);
    }
    const now = deps.clock.now();
    const receivedAt = now.toISOString();
    const orderDate = localDate(now, deps.timeZone);
    if (!account) {
      const replay = await replayIfKnown(deps, storefrontId, idempotencyKey, requestHash);
      if (replay) return replay;
      throw notFound('account', input.accountId);
    }
    const refusal = checkEligibility(account, {
      storefrontId,
      currency: input.currency,
      orderDate,
      grossMinor: totals.totals.grossMinor,
    });
    if (refusal && fromSnapshot) {
      // Never refuse on a remembered state: confirm with a fresh read first.
      read = 'consistent';
      continue;
    }
    if (refusal) {
      // The refusal may be the consequence of this very order accepted earlier: replay it if so.
      const replay = await replayIfKnown(deps, storefrontId, idempotencyKey, requestHash);
      if (replay) return replay;
      throw refusalError(refusal, account);
    }

    const order: Order = {
      orderId: `ord_${ulid(now.getTime())}`,
      accountId: input.accountId,
      storefrontId,
      reference: input.reference,
      ...(input.purchaseOrderNumber ? { purchaseOrderNumber: input.purchaseOrderNumber } : {}),
      currency: input.currency,
      ...(input.deliveryAddress ? { deliveryAddress: input.deliveryAddress } : {}),
      status: 'accepted',
      receivedAt,
      billingPeriod: assignBillingPeriod(now, account.billingCycle, deps.timeZone, account.closedThrough),
      lines: input.lines.map((line, index) => ({
        lineNumber: index + 1,
        ...line,
        // The seller's legal name as it is today: documents print it, however the seller is renamed later.
        sellerName: sellerNames.get(line.sellerId) as string,
        netMinor: totals.lineNets[index] as number,
      })),
      vatBreakdown: totals.vatBreakdown,
      totals: totals.totals,
    };
    const epochSeconds = Math.floor(now.getTime() / 1000);
    const record: IdempotencyRecord = {
      requestHash,
      responseStatus: 201,
      responseJson: JSON.stringify(order),
      createdAt: receivedAt,
      expiresAt: epochSeconds + IDEMPOTENCY_TTL_SECONDS,
    };
    const outcome = await deps.orders.place(
      {
        order,
        idempotency: { storefrontId, key: idempotencyKey, record },
        expected: { billingCycle: account.billingCycle },
      },
      { date: orderDate, epochSeconds },
    );
    switch (outcome.kind) {
      case 'accepted':
        deps.accountSnapshots?.recordOrder(order.accountId, order.totals.grossMinor);
        return { status: 201, order, replayed: false };
      case 'idempotency-key-used':
        return replayOrRefuse(outcome.record, requestHash);
      case 'idempotency-key-in-flight':
        throw idempotencyKeyInFlight();
      case 'account-condition-failed': {
        if (!outcome.account) throw notFound('account', input.accountId);
        deps.accountSnapshots?.set(outcome.account);
        const actual = checkEligibility(outcome.account, {
          storefrontId,
          currency: input.currency,
          orderDate,
          grossMinor: totals.totals.grossMinor,
        });
        if (actual) throw refusalError(actual, outcome.account);
        // The cycle or the closed periods moved under us: read again, consistently, and recompute.
        read = 'consistent';
        break;
      }
      case 'account-conflict':
        read = 'snapshot';
        await contentionBackoff(attempt);
        break;
    }
  }
  throw conflict(
    'account_busy',
    'Too many orders for this account at the same moment; retry with the same Idempotency-Key.',
  );
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

async function replayIfKnown(
  deps: OrderDeps,
  storefrontId: string,
  idempotencyKey: string,
  requestHash: string,
): Promise<PlaceOrderResult | undefined> {
  const record = await deps.orders.getIdempotencyRecord(storefrontId, idempotencyKey);
  if (!isLive(record, deps.clock.now())) return undefined;
  return replayOrRefuse(record, requestHash);
}

function replayOrRefuse(record: IdempotencyRecord, requestHash: string): PlaceOrderResult {
  const { status, body } = replayIdempotent<Order>(record, requestHash, 'order');
  return { status, order: body, replayed: true };
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
