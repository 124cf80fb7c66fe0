import type { LedgerEntry } from '../../contracts/schemas/payment.js';

/*
 * The books: each money movement of the ledger as one balanced journal entry (double entry), in the French
 * chart of accounts by default. Pure: the documents a movement refers to are handed in, the mapping comes
 * from configuration, nothing here reads a store.
 */

/** Which account of the chart each kind of line goes to, and the two journals. */
export interface ChartOfAccounts {
  /** Customers (the buyer is the auxiliary account). Default 411000. */
  receivable: string;
  /** Bank. Default 512000. */
  bank: string;
  /** Revenue by the invoice's supply category. Defaults 707000 goods, 706000 services and mixed. */
  revenue: { goods: string; services: string; mixed: string };
  /**
   * Revenue by VAT rate (percent as written, `5.5`), winning over the supply category when a rate is
   * listed: a chart that splits sales per rate. Default none.
   */
  revenueByRate: Readonly<Record<string, string>>;
  /** VAT collected per rate (percent as written). Defaults 445711 (20), 445712 (10), 445713 (5.5), 445714 (2.1). */
  vatCollected: Readonly<Record<string, string>>;
  /** VAT collected at a rate not listed above. Default 445710. */
  vatCollectedOther: string;
  sales: { code: string; label: string };
  bankJournal: { code: string; label: string };
}

/** The French defaults (Plan comptable général). */
export const DEFAULT_CHART: ChartOfAccounts = {
  receivable: '411000',
  bank: '512000',
  revenue: { goods: '707000', services: '706000', mixed: '706000' },
  revenueByRate: {},
  vatCollected: { '20': '445711', '10': '445712', '5.5': '445713', '2.1': '445714' },
  vatCollectedOther: '445710',
  sales: { code: 'VT', label: 'Ventes' },
  bankJournal: { code: 'BQ', label: 'Banque' },
};

/** The facts of an issued invoice the books need (as stored: number, date, buyer, per-rate figures). */
export interface InvoiceFacts {
  invoiceId: string;
  accountId: string;
  number: string;
  issueDate: string;
  currency: string;
  supplyCategory: 'goods' | 'services' | 'mixed';
  buyerName: string;
  vatBreakdown: readonly { vatRate: number; baseMinor: number; vatMinor: number }[];
  grossMinor: number;
}

/** A credit note's facts: its number and date and its per-rate figures (it reverses part of an invoice). */
export interface CreditNoteFacts {
  creditNoteId: string;
  number: string;
  issueDate: string;
  vatBreakdown: readonly { vatRate: number; baseMinor: number; vatMinor: number }[];
  grossMinor: number;
}

/** A payment's facts: how and when the money came, what the bank statement names it by. */
export interface PaymentFacts {
  paymentId: string;
  receivedOn: string;
  method: string;
  reference: string;
}

/** One line of a journal entry: one account, one side. `settles` names the invoice a 411 line moves. */
export interface JournalLine {
  account: string;
  accountLabel: string;
  /** The buyer (auxiliary account) on the receivable's lines. */
  auxAccount?: string;
  auxLabel?: string;
  debitMinor: number;
  creditMinor: number;
  /** On receivable lines: the invoice whose balance the line moves (what lettering groups by). */
  settles?: string;
}

/** One balanced entry: one movement of the ledger, in one journal, on one day, backed by one piece. */
export interface JournalEntry {
  journal: 'sales' | 'bank';
  /** The day the movement entered the books (local date): the entry's date and its validation date. */
  date: string;
  pieceRef: string;
  pieceDate: string;
  label: string;
  currency: string;
  lines: JournalLine[];
  /** The ledger entry it comes from. */
  source: LedgerEntry;
}

/** Default labels of the accounts (CompteLib). */
const LABELS = {
  receivable: 'Clients',
  bank: 'Banque',
  goods: 'Ventes de marchandises',
  services: 'Prestations de services',
  vat: (rate: number) => `TVA collectée ${String(rate).replace('.', ',')} %`,
} as const;

const METHOD_LABELS: Readonly<Record<string, string>> = {
  transfer: 'virement',
  card: 'carte',
  direct_debit: 'prélèvement',
  cheque: 'chèque',
  other: 'autre',
};

/** A movement refers to a document the books could not find: the export stops, nothing is stored. */
export class MissingDocument extends Error {
  constructor(what: string, id: string, entryId: string) {
    super(`Ledger entry ${entryId} refers to ${what} ${id}, which is not stored`);
    this.name = 'MissingDocument';
  }
}

/** An entry whose debits and credits differ: a defect, never written to the books. */
export class UnbalancedEntry extends Error {
  constructor(entry: JournalEntry) {
    super(`Journal entry for ${entry.pieceRef} does not balance`);
    this.name = 'UnbalancedEntry';
  }
}

const rateKey = (rate: number) => String(rate);

/**
 * The revenue and VAT lines of per-rate figures, on the credit side for an invoice and the debit side for a
 * credit note. Zero amounts write no line (a 0 % rate has no VAT line).
 */
function salesLines(
  chart: ChartOfAccounts,
  category: InvoiceFacts['supplyCategory'],
  breakdown: InvoiceFacts['vatBreakdown'],
  side: 'credit' | 'debit',
): JournalLine[] {
  const lines: JournalLine[] = [];
  const line = (account: string, accountLabel: string, amount: number): JournalLine => ({
    account,
    accountLabel,
    debitMinor: side === 'debit' ? amount : 0,
    creditMinor: side === 'credit' ? amount : 0,
  });
  for (const entry of breakdown) {
    if (entry.baseMinor !== 0) {
      const byRate = chart.revenueByRate[rateKey(entry.vatRate)];
      const account = byRate ?? chart.revenue[category];
      const label = category === 'goods' ? LABELS.goods : LABELS.services;
      lines.push(line(account, label, entry.baseMinor));
    }
  }
  for (const entry of breakdown) {
    if (entry.vatMinor !== 0) {
      const account = chart.vatCollected[rateKey(entry.vatRate)] ?? chart.vatCollectedOther;
      lines.push(line(account, LABELS.vat(entry.vatRate), entry.vatMinor));
    }
  }
  return lines;
}

/** The documents a movement needs, found by id. */
export interface MovementDocuments {
  invoice(invoiceId: string): InvoiceFacts | undefined;
  creditNote(creditNoteId: string): CreditNoteFacts | undefined;
  payment(paymentId: string): PaymentFacts | undefined;
}

/**
 * The journal entry of one ledger movement. Sales journal: an issued invoice debits the buyer's receivable
 * (gross) and credits revenue per rate (net base) and VAT collected per rate; a credit note the reverse.
 * Bank journal: a payment (one entry per invoice it settles, as the ledger holds it) debits the bank and
 * credits the receivable; a reversal the reverse. `day` is the local date the movement was recorded.
 * Throws `UnbalancedEntry` rather than return an entry whose sides differ.
 */
export function journalEntryOf(
  movement: LedgerEntry,
  documents: MovementDocuments,
  chart: ChartOfAccounts,
  day: string,
): JournalEntry {
  const invoice = documents.invoice(movement.invoiceId);
  if (!invoice) throw new MissingDocument('invoice', movement.invoiceId, movement.entryId);
  const receivable = (debitMinor: number, creditMinor: number): JournalLine => ({
    account: chart.receivable,
    accountLabel: LABELS.receivable,
    auxAccount: invoice.accountId,
    auxLabel: invoice.buyerName,
    debitMinor,
    creditMinor,
    settles: invoice.invoiceId,
  });
  const bankLine = (debitMinor: number, creditMinor: number): JournalLine => ({
    account: chart.bank,
    accountLabel: LABELS.bank,
    debitMinor,
    creditMinor,
  });
  let entry: JournalEntry;
  switch (movement.kind) {
    case 'invoice_issued':
      entry = {
        date: day,
        currency: invoice.currency,
        source: movement,
        journal: 'sales',
        pieceRef: invoice.number,
        pieceDate: invoice.issueDate,
        label: `Facture ${invoice.number}`,
        lines: [
          receivable(invoice.grossMinor, 0),
          ...salesLines(chart, invoice.supplyCategory, invoice.vatBreakdown, 'credit'),
        ],
      };
      break;
    case 'credit_note': {
      const id = movement.creditNoteId ?? '';
      const note = documents.creditNote(id);
      if (!note) throw new MissingDocument('credit note', id, movement.entryId);
      entry = {
        date: day,
        currency: invoice.currency,
        source: movement,
        journal: 'sales',
        pieceRef: note.number,
        pieceDate: note.issueDate,
        label: `Avoir ${note.number} sur facture ${invoice.number}`,
        lines: [
          receivable(0, note.grossMinor),
          ...salesLines(chart, invoice.supplyCategory, note.vatBreakdown, 'debit'),
        ],
      };
      break;
    }
    case 'payment':
    case 'payment_reversal': {
      const id = movement.paymentId ?? '';
      const payment = documents.payment(id);
      if (!payment) throw new MissingDocument('payment', id, movement.entryId);
      const amount = Math.abs(movement.unpaidDeltaMinor);
      const method = METHOD_LABELS[payment.method] ?? payment.method;
      const reversal = movement.kind === 'payment_reversal';
      entry = {
        date: day,
        currency: invoice.currency,
        source: movement,
        journal: 'bank',
        pieceRef: payment.reference || payment.paymentId,
        // A reversal's piece is dated the day it was recorded (the ledger's day).
        pieceDate: reversal ? day : payment.receivedOn,
        label: `${reversal ? 'Annulation règlement' : 'Règlement'} ${method} facture ${invoice.number}`,
        lines: reversal
          ? [receivable(amount, 0), bankLine(0, amount)]
          : [bankLine(amount, 0), receivable(0, amount)],
      };
      break;
    }
  }
  const debit = entry.lines.reduce((sum, line) => sum + line.debitMinor, 0);
  const credit = entry.lines.reduce((sum, line) => sum + line.creditMinor, 0);
  if (debit !== credit || entry.lines.length < 2) throw new UnbalancedEntry(entry);
  return entry;
}

/** One line of the books as every export writes it: the entry's fields flattened onto each of its lines. */
export interface BookRow {
  journalCode: string;
  journalLabel: string;
  /** Continuous per journal within one export, from 1, in the order the movements were recorded. */
  entryNumber: number;
  entryDate: string;
  account: string;
  accountLabel: string;
  auxAccount: string;
  auxLabel: string;
  pieceRef: string;
  pieceDate: string;
  label: string;
  debitMinor: number;
  creditMinor: number;
  currency: string;
  /** Lettering code and date (411 lines of a settled invoice), else empty. */
  lettering: string;
  letteringDate: string;
  validDate: string;
  movement: LedgerEntry['kind'];
  accountId: string;
  invoiceId: string;
  paymentId: string;
  creditNoteId: string;
  ledgerEntryId: string;
}

/** A journal entry as written: its journal's code and label, its number, and each line's letter. */
export interface NumberedEntry extends JournalEntry {
  journalCode: string;
  journalLabel: string;
  /** Continuous per journal within one export, from 1, in the order the movements were recorded. */
  entryNumber: number;
  /** Per line (same order): the lettering code and date of a settled invoice's 411 line, else undefined. */
  letters: ({ code: string; date: string } | undefined)[];
}

/** Numbers entries per journal as they come, and letters their 411 lines. */
export class JournalNumbering {
  private readonly next = { sales: 1, bank: 1 };

  constructor(
    private readonly chart: ChartOfAccounts,
    private readonly letterOf: (invoiceId: string) => { code: string; date: string } | undefined,
  ) {}

  /** Numbers `entry` (a fresh entry of `journalEntryOf`, completed in place) and letters its lines. */
  number(entry: JournalEntry): NumberedEntry {
    const journal = entry.journal === 'sales' ? this.chart.sales : this.chart.bankJournal;
    const entryNumber = this.next[entry.journal];
    this.next[entry.journal] += 1;
    // Completed in place rather than copied: an export numbers a few hundred thousand fresh entries.
    const numbered = entry as NumberedEntry;
    numbered.journalCode = journal.code;
    numbered.journalLabel = journal.label;
    numbered.entryNumber = entryNumber;
    numbered.letters = entry.lines.map((line) => (line.settles ? this.letterOf(line.settles) : undefined));
    return numbered;
  }
}

/** The rows of a numbered entry: its fields flattened onto each of its lines (the journal CSV and JSON). */
export function rowsOf(entry: NumberedEntry): BookRow[] {
  const source = entry.source;
  return entry.lines.map((line, index) => {
    const letter = entry.letters[index];
    return {
      journalCode: entry.journalCode,
      journalLabel: entry.journalLabel,
      entryNumber: entry.entryNumber,
      entryDate: entry.date,
      account: line.account,
      accountLabel: line.accountLabel,
      auxAccount: line.auxAccount ?? '',
      auxLabel: line.auxLabel ?? '',
      pieceRef: entry.pieceRef,
      pieceDate: entry.pieceDate,
      label: entry.label,
      debitMinor: line.debitMinor,
      creditMinor: line.creditMinor,
      currency: entry.currency,
      lettering: letter?.code ?? '',
      letteringDate: letter?.date ?? '',
      validDate: entry.date,
      movement: source.kind,
      accountId: source.accountId,
      invoiceId: source.invoiceId,
      paymentId: source.paymentId ?? '',
      creditNoteId: source.creditNoteId ?? '',
      ledgerEntryId: source.entryId,
    };
  });
}
