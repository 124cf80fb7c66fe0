import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';
import type { InvoiceRecord } from './invoices.js';
import { balanceOf, type Settlement } from './payment-status.js';

/*
 * "Encaissée" (lifecycle status 212): for a supply of services, French VAT falls due when the price is
 * received (CGI art. 269, 2-c), unless the issuer opted to pay it on debits. Since the reform the seller
 * tells the administration, through its platform, when such an invoice is paid (BR-FR-CDV-14: the amount
 * received, VAT included, per VAT rate, and the date). Goods, or an issuer on debits, owe nothing of the kind.
 */

/** What an invoice's collection status records when a payment settles it (`einvoice.collection`). */
export type EInvoiceCollection = NonNullable<EInvoiceState['collection']>;

/** Its VAT is due on receipt: services, and the issuer did not opt for VAT on debits. */
export function vatDueOnReceipt(invoice: Pick<InvoiceRecord, 'supplyCategory' | 'issuer'>): boolean {
  return invoice.supplyCategory === 'services' && !invoice.issuer.vatOnDebits;
}

/** The invoice was deposited at the approved platform (a status about it means something there). */
export function wentThroughPlatform(invoice: Pick<InvoiceRecord, 'einvoice'>): boolean {
  const einvoice = invoice.einvoice;
  if (!einvoice || einvoice.channel === 'email') return false;
  return einvoice.submission?.state === 'submitted';
}

/*
 * A payment reversed after its 212 went leaves the administration believing the VAT was collected: the
 * reversal owes a correcting 212, the amount undone as negative amounts. Each message has its number
 * (`sequence`, absent on a first one stored before corrections existed) and its own tracking id, so every
 * pay/reverse cycle gives one status at the platform, sent at most once. `receivedMinor` is what the
 * platform will have been told was received in all once the message went (absent: its own amount).
 */

/** The number of an invoice's "Encaissée" message: 1, 2… (a stored first one has none). */
export const collectionSequence = (collection: Pick<EInvoiceCollection, 'sequence'>): number =>
  collection.sequence ?? 1;

/** What the platform has been told was received in all, once this message went. */
export const collectionReceived = (collection: Pick<EInvoiceCollection, 'receivedMinor' | 'amountMinor'>) =>
  collection.receivedMinor ?? collection.amountMinor;

/** What a payment or its reversal changes of an invoice's "Encaissée" (`einvoice.collection`). */
export type CollectionChange =
  /** A new message is due (the previous one, if any, was sent): written with the movement. */
  | { kind: 'due'; collection: EInvoiceCollection }
  /** The first message, never taken by the platform, is no longer owed: removed. */
  | { kind: 'withdraw' }
  /**
   * A message is on its way (due, or being sent): what the platform must be told after it waits on it
   * (`owed`), and the poll makes it the next message once this one went; undefined when nothing is owed.
   */
  | { kind: 'owe'; owed: EInvoiceCollection['owed'] };

/**
 * What a money movement makes due, or undefined. Only on an invoice whose VAT is due on receipt that went
 * through the platform, and only when the movement crosses the line: the payment that brings the balance
 * to 0 makes the amount received due (the first 212, or a new one after a correction), a reversal that
 * reopens an invoice whose 212 was sent (or is being sent) makes the amount undone due, negative, dated
 * `on` (the day received, or the day of the reversal). A first 212 not yet taken by the platform is
 * withdrawn instead: nothing was told, nothing is to correct. Partial payments of an open invoice tell
 * nothing (the product sends 212 once an invoice is paid in full).
 */
export function collectionChangeOn(
  invoice: InvoiceRecord,
  after: Settlement,
  on: string,
): CollectionChange | undefined {
  if (!vatDueOnReceipt(invoice) || !wentThroughPlatform(invoice)) return undefined;
  const current = invoice.einvoice?.collection;
  const wasOpen = balanceOf(invoice) > 0;
  const settles = wasOpen && !after.open && after.paidMinor > 0;
  const reopens = !wasOpen && after.open;
  if (!settles && !(reopens && current)) return undefined;
  // What the platform should believe was received once every message went.
  const received = after.paidMinor;
  if (!current) {
    return {
      kind: 'due',
      collection: { state: 'due', amountMinor: received, currency: invoice.currency, collectedOn: on },
    };
  }
  const told = collectionReceived(current);
  if (current.state === 'sent') {
    if (received === told) return undefined;
    return {
      kind: 'due',
      collection: {
        state: 'due',
        sequence: collectionSequence(current) + 1,
        amountMinor: received - told,
        receivedMinor: received,
        currency: current.currency,
        collectedOn: on,
      },
    };
  }
  if (current.state === 'due' && collectionSequence(current) === 1 && reopens) return { kind: 'withdraw' };
  if (received === told) return current.owed ? { kind: 'owe', owed: undefined } : undefined;
  return { kind: 'owe', owed: { receivedMinor: received, on } };
}

/**
 * Once a message went: the next one when a movement left something owed behind it (what is owed less
 * what was told, dated the day of that movement), else undefined (nothing more to send).
 */
export function collectionAfterSent(sent: EInvoiceCollection): EInvoiceCollection | undefined {
  const owed = sent.owed;
  const told = collectionReceived(sent);
  if (!owed || owed.receivedMinor === told) return undefined;
  return {
    state: 'due',
    sequence: collectionSequence(sent) + 1,
    amountMinor: owed.receivedMinor - told,
    receivedMinor: owed.receivedMinor,
    currency: sent.currency,
    collectedOn: owed.on,
  };
}

/**
 * The amount received split per VAT rate (categories at the same rate together) in proportion to each rate's gross on the invoice (VAT included),
 * the rounding remainder on the largest rate, so the parts add up to the amount exactly.
 */
export function collectedAmountsByRate(
  vatBreakdown: InvoiceRecord['vatBreakdown'],
  amountMinor: number,
  currency: string,
): { amountMinor: number; currency: string; vatRate: number }[] {
  // The breakdown is per category and rate (E and K may both be at 0 %): the status speaks per rate only.
  const grossByRate = new Map<number, number>();
  for (const entry of vatBreakdown) {
    grossByRate.set(entry.vatRate, (grossByRate.get(entry.vatRate) ?? 0) + entry.baseMinor + entry.vatMinor);
  }
  const rates = [...grossByRate].map(([vatRate, grossMinor]) => ({ vatRate, grossMinor }));
  const totalGross = rates.reduce((sum, rate) => sum + rate.grossMinor, 0);
  if (rates.length === 0 || totalGross <= 0) return [{ amountMinor, currency, vatRate: 0 }];
  const parts = rates.map((rate) => ({
    vatRate: rate.vatRate,
    amountMinor: Number((BigInt(amountMinor) * BigInt(rate.grossMinor)) / BigInt(totalGross)),
  }));
  const remainder = amountMinor - parts.reduce((sum, part) => sum + part.amountMinor, 0);
  const largest = parts.reduce((best, part) => (part.vatRate > best.vatRate ? part : best));
  largest.amountMinor += remainder;
  return parts.map((part) => ({ amountMinor: part.amountMinor, currency, vatRate: part.vatRate }));
}

/**
 * A message's amounts per VAT rate: the split of what the platform is told was received in all once it
 * went, less the split of what it was told before. So the platform's total at each rate is always the
 * split of the amount received (never below 0), and a correction undoing a whole 212 mirrors it to the cent.
 */
export function collectionAmountsByRate(
  vatBreakdown: InvoiceRecord['vatBreakdown'],
  collection: EInvoiceCollection,
): { amountMinor: number; currency: string; vatRate: number }[] {
  const received = collectionReceived(collection);
  const after = collectedAmountsByRate(vatBreakdown, received, collection.currency);
  const before = collectedAmountsByRate(vatBreakdown, received - collection.amountMinor, collection.currency);
  return after.map((part, index) => ({
    ...part,
    amountMinor: part.amountMinor - (before[index]?.amountMinor ?? 0),
  }));
}
