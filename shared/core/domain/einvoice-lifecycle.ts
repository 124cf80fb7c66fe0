/**
 * The life of an e-invoice after it leaves us, as the French reform names it: the lifecycle statuses
 * ("statuts du cycle de vie", CDV) an approved platform reports about an invoice or credit note, and the
 * few the issuer sends itself. Codes, French labels and who emits each come from the administration's
 * code list (BR-FR-CDV-CL-06, "spécifications externes" of the reform); see docs/APPROVED-PLATFORM.md.
 * Pure: the use cases record these on the invoice and publish them; adapters translate the wire formats.
 */

/** Who may emit a status: the platforms (transmission phase), the buyer, the seller (treatment phase). */
export type LifecycleIssuer = 'platform' | 'buyer' | 'seller' | 'any';

interface LifecycleStatusDefinition {
  fr: string;
  en: string;
  issuedBy: LifecycleIssuer;
  /** One of the four statuses the platforms must forward to the administration (PPF). */
  mandatory: boolean;
  /** A status whose reason is required (refusals, disputes, rejections, BR-FR-CDV-15). */
  needsReason: boolean;
}

const status = (
  fr: string,
  en: string,
  issuedBy: LifecycleIssuer,
  flags: { mandatory?: boolean; needsReason?: boolean } = {},
): LifecycleStatusDefinition => ({
  fr,
  en,
  issuedBy,
  mandatory: flags.mandatory ?? false,
  needsReason: flags.needsReason ?? false,
});

/** Every lifecycle status code of the official list, with its labels. */
export const LIFECYCLE_STATUSES = {
  '200': status('Déposée', 'Deposited', 'platform', { mandatory: true }),
  '201': status('Émise par la plateforme', 'Issued by the platform', 'platform'),
  '202': status('Reçue par la plateforme', 'Received by the platform', 'platform'),
  '203': status('Mise à disposition', 'Made available', 'platform'),
  '204': status('Prise en charge', 'Taken over', 'buyer'),
  '205': status('Approuvée', 'Approved', 'buyer'),
  '206': status('Approuvée partiellement', 'Partially approved', 'buyer', { needsReason: true }),
  '207': status('En litige', 'In dispute', 'buyer', { needsReason: true }),
  '208': status('Suspendue', 'Suspended', 'buyer', { needsReason: true }),
  '209': status('Complétée', 'Completed', 'seller'),
  '210': status('Refusée', 'Refused', 'buyer', { mandatory: true, needsReason: true }),
  '211': status('Paiement transmis', 'Payment sent', 'buyer'),
  '212': status('Encaissée', 'Payment received', 'seller', { mandatory: true }),
  '213': status('Rejetée', 'Rejected', 'platform', { mandatory: true, needsReason: true }),
  '214': status('Visée', 'Reviewed', 'buyer'),
  '220': status('Annulée', 'Cancelled', 'any'),
  '221': status('Erreur de routage', 'Routing error', 'platform'),
  '224': status('Demande de paiement direct', 'Direct payment requested', 'any'),
  '225': status('Affacturée', 'Factored', 'any'),
  '226': status('Affacturée confidentiel', 'Factored (confidential)', 'any'),
  '227': status('Changement de compte à payer', 'Change of account payable', 'any'),
  '228': status('Non affacturée', 'Not factored', 'any'),
  '501': status('Irrecevable', 'Inadmissible', 'platform', { needsReason: true }),
} as const satisfies Record<string, LifecycleStatusDefinition>;

export type LifecycleStatusCode = keyof typeof LIFECYCLE_STATUSES;

export function isLifecycleStatusCode(code: string): code is LifecycleStatusCode {
  return Object.hasOwn(LIFECYCLE_STATUSES, code);
}

/** The status's label in the document language ("Encaissée", "Payment received"). */
export function lifecycleLabel(code: LifecycleStatusCode, language: 'fr' | 'en'): string {
  return LIFECYCLE_STATUSES[code][language];
}

/**
 * A history entry's label: its status's, but a 212 whose amounts are negative corrects an earlier one (a
 * payment reversed after its "Encaissée" went) and says so: "Payment received (correction)".
 */
export function entryLabel(
  entry: { status: LifecycleStatusCode; amounts?: readonly LifecycleAmount[] | undefined },
  language: 'fr' | 'en',
): string {
  const label = lifecycleLabel(entry.status, language);
  const total = (entry.amounts ?? []).reduce((sum, amount) => sum + amount.amountMinor, 0);
  if (entry.status !== '212' || total >= 0) return label;
  return `${label} (${language === 'fr' ? 'rectificatif' : 'correction'})`;
}

/** Why a platform rejected, or a buyer refused or disputed: a code when the sender gave one, and words. */
export interface LifecycleReason {
  /** The sender's code: a CDV reason (`DOUBLON`, `MONTANTTOTAL_ERR`…) or the platform's (`InvalidSchema`). */
  code?: string;
  /** The rule or field at fault when the platform names one (`BR-CO-15`, `BT-48`). */
  item?: string;
  text: string;
}

/** An amount a payment status carries (211 paid, 212 received): per VAT rate when the sender splits it. */
export interface LifecycleAmount {
  /** Minor units, VAT included. */
  amountMinor: number;
  currency: string;
  /** The VAT rate (percent) this part of the amount belongs to, when split by rate. */
  vatRate?: number;
}

/** Which of our documents an event is about: our tracking id on our own flows, the number and date otherwise. */
export interface LifecycleDocumentRef {
  /** Our invoice or credit-note id, given with the flow (AFNOR `trackingId`). */
  trackingId?: string;
  /** The document's number (BT-1), as a lifecycle message references it. */
  number?: string;
  /** Its issue date, YYYY-MM-DD. */
  issueDate?: string;
  /** The seller's SIREN, as the message gives it. */
  sellerSiren?: string;
}

/** One status reported about one document. */
export interface LifecycleEvent {
  /**
   * Stable across deliveries: the same status read from a webhook and again by the poll has the same id,
   * so recording it twice changes nothing.
   */
  eventId: string;
  /** The platform flow that carried it. */
  flowId: string;
  document: LifecycleDocumentRef;
  status: LifecycleStatusCode;
  /** When the status was set (ISO 8601 instant), as the platform or the sender dated it. */
  at: string;
  reasons: readonly LifecycleReason[];
  amounts?: readonly LifecycleAmount[];
}

/**
 * The event id of a deposit's acknowledgement (200 deposited, 213 rejected). The submission step, the
 * webhook and the poll all read it: one id, so the invoice's history and the accounting bus get it once.
 */
export const depositEventId = (flowId: string, status: '200' | '213'): string => `${flowId}:${status}`;

/** One dated line of a document's lifecycle history, as kept on the invoice. */
export interface LifecycleHistoryEntry {
  eventId: string;
  status: LifecycleStatusCode;
  at: string;
  reasons: readonly LifecycleReason[];
  amounts?: readonly LifecycleAmount[];
}

/** The history entry an event becomes (what the invoice keeps of it). */
export function historyEntryOf(event: LifecycleEvent): LifecycleHistoryEntry {
  return {
    eventId: event.eventId,
    status: event.status,
    at: event.at,
    reasons: event.reasons,
    ...(event.amounts ? { amounts: event.amounts } : {}),
  };
}

/**
 * The history with `event` recorded: unchanged (the same array) when an entry with its id is there already,
 * so a redelivered webhook or an overlapping poll is harmless; otherwise in date order, ties in arrival order.
 */
export function recordLifecycleEvent(
  history: readonly LifecycleHistoryEntry[],
  event: LifecycleEvent,
): readonly LifecycleHistoryEntry[] {
  if (history.some((entry) => entry.eventId === event.eventId)) return history;
  const entry = historyEntryOf(event);
  const at = Date.parse(entry.at);
  const index = history.findIndex((existing) => Date.parse(existing.at) > at);
  return index < 0 ? [...history, entry] : [...history.slice(0, index), entry, ...history.slice(index)];
}

/** The document's status now: the latest entry of its history (statuses may arrive out of order). */
export function currentLifecycleStatus(
  history: readonly LifecycleHistoryEntry[],
): LifecycleStatusCode | undefined {
  return history.at(-1)?.status;
}
