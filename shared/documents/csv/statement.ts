import type { Statement } from '../../contracts/schemas/buyer-api.js';
import { currencyMinorDigits, toMajorDecimalString } from '../../core/domain/money.js';

/*
 * The statement of account as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
 * a comma, a quote or a line break, quotes doubled; UTF-8 with no BOM). Amounts are exact decimals in major
 * units with the currency in its own column, so a spreadsheet or an ERP reads them without guessing.
 */

const HEADERS = {
  en: [
    'Kind',
    'Number',
    'Issue date',
    'Due date',
    'Days past due',
    'Aging',
    'Amount due',
    'Paid',
    'Credited',
    'Balance',
    'Currency',
    'Creditor reference',
  ],
  fr: [
    'Type',
    'Numéro',
    "Date d'émission",
    "Date d'échéance",
    'Jours de retard',
    'Ancienneté',
    'Montant dû',
    'Payé',
    'Avoirs',
    'Solde',
    'Devise',
    'Référence créancier',
  ],
} as const;

const BUCKETS = {
  en: {
    notDue: 'Not due',
    days1to30: '1-30 days',
    days31to60: '31-60 days',
    days61to90: '61-90 days',
    over90: 'Over 90 days',
  },
  fr: {
    notDue: 'Non échu',
    days1to30: '1-30 jours',
    days31to60: '31-60 jours',
    days61to90: '61-90 jours',
    over90: 'Plus de 90 jours',
  },
} as const;

const KIND = {
  en: { invoice: 'Invoice', total: 'Total' },
  fr: { invoice: 'Facture', total: 'Total' },
} as const;

/** One RFC 4180 field: quoted when it must be; a leading =, +, - or @ is prefixed so no sheet runs it. */
function field(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (values: readonly (string | number)[]) => `${values.map(field).join(',')}\r\n`;

/** The statement's open items, one row each, then one total row per aging bucket and the grand total. */
export function statementCsv(statement: Statement, language: 'fr' | 'en'): string {
  const digits = currencyMinorDigits(statement.currency);
  const amount = (minor: number) => toMajorDecimalString(minor, digits);
  let csv = row(HEADERS[language]);
  for (const item of statement.items) {
    csv += row([
      KIND[language].invoice,
      item.number,
      item.issueDate,
      item.dueDate,
      item.daysPastDue,
      BUCKETS[language][item.bucket],
      amount(item.amountDueMinor),
      amount(item.paidMinor),
      amount(item.creditedMinor),
      amount(item.balanceMinor),
      statement.currency,
      item.creditorReference,
    ]);
  }
  for (const bucket of Object.keys(BUCKETS[language]) as (keyof (typeof BUCKETS)['en'])[]) {
    csv += row([
      KIND[language].total,
      '',
      '',
      '',
      '',
      BUCKETS[language][bucket],
      '',
      '',
      '',
      amount(statement.totals[bucket]),
      statement.currency,
      '',
    ]);
  }
  csv += row([
    KIND[language].total,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    amount(statement.totals.totalMinor),
    statement.currency,
    statement.payment.statementCreditorReference,
  ]);
  return csv;
}
