/**
 * Every word the product prints or sends, in French and English: the invoice (PDF and email), the credit
 * note (PDF and email) and the payment reminder. One `Catalogue` type, one object per language: a text
 * missing in either language, or present in only one, does not compile. Documents pick the catalogue of
 * their language (`catalogueFor(invoice.language)`) and format figures with format.ts.
 *
 * Sections: `document` holds what every document prints (identities, lines by order, VAT, totals, pages);
 * `invoice`, `creditNote` and `reminder` what is theirs, each with its email; `legal` the invoice's legal
 * mentions (sentences built in mentions.ts); `email` what every email shares.
 */

import type { Invoice } from '../../contracts/schemas/invoice.js';
import { formatLocalDate, formatQuantity, type Language } from './format.js';

/** The columns of a table of order lines. */
export interface LineColumns {
  seller: string;
  sku: string;
  description: string;
  quantity: string;
  unitPrice: string;
  vatRate: string;
  net: string;
}

export interface Catalogue {
  language: Language;
  /** BCP 47 tag: the PDF's /Lang, the HTML's `lang`, the email's Content-Language. */
  bcp47: string;
  /** Words every document prints. */
  document: {
    /** "n°" / "No." */
    numberSign: string;
    issueDate: string;
    vatId: string;
    siren: string;
    rcs: string;
    shareCapital: (capital: string) => string;
    purchaseOrder: string;
    /** An order's heading: "Commande SHOP-100234 du 04/11/2026". */
    order: (reference: string, date: string) => string;
    /** Added to an order's heading repeated on the next page. */
    orderContinued: string;
    deliveredTo: string;
    page: (page: number) => string;
    vatBreakdown: string;
    vatColumns: { rate: string; base: string; vat: string };
    totalNet: string;
    totalVat: string;
    totalGross: string;
  };
  invoice: {
    /** "Facture" / "Invoice": subject lines, document title. */
    documentName: string;
    /** Attachment file name stem: facture-2026-000123.pdf / invoice-2026-000123.pdf. */
    fileStem: string;
    /** "FACTURE" / "INVOICE" */
    title: string;
    /** Title of a document that has no number yet (a preview). */
    draftTitle: string;
    draftNotice: string;
    dueDate: string;
    period: string;
    periodRange: (startDate: string, endDate: string) => string;
    paymentTerms: string;
    paymentTermsValue: (terms: Invoice['paymentTerms']) => string;
    billTo: string;
    deliverTo: string;
    sameAsBillingAddress: string;
    /** "3 commandes, 9 lignes" */
    contents: (orders: number, lines: number) => string;
    amountDueBanner: string;
    payBy: (date: string) => string;
    columns: LineColumns;
    continuedHeader: (number: string) => string;
    amountDue: string;
    payment: string;
    dueDateSentence: (date: string) => string;
    bankTransfer: string;
    iban: string;
    bic: string;
    paymentReference: (number: string) => string;
    noBankDetails: (email: string) => string;
    legalNotices: string;
    email: {
      subject: (number: string, issuer: string, amount: string, dueDate: string) => string;
      intro: (number: string, issuer: string, period: string) => string;
      amountDue: string;
      howToPay: string;
      questions: (address: string) => string;
    };
  };
  creditNote: {
    documentName: string;
    /** Attachment file name stem: avoir-AV-2026-000001.pdf / credit-note-AV-2026-000001.pdf. */
    fileStem: string;
    title: string;
    corrects: (number: string, date: string) => string;
    customer: string;
    reason: string;
    /** A credit note's lines have no seller column. */
    columns: Omit<LineColumns, 'seller'>;
    /** An order credited before its reference and date were kept on the credit note. */
    orderById: (orderId: string) => string;
    totalCredit: string;
    applied: (amount: string, number: string) => string;
    email: {
      subject: (number: string, issuer: string, amount: string, invoice: string) => string;
      intro: (number: string, issuer: string, invoice: string) => string;
    };
  };
  /** The buyer's statement of account (PDF). */
  statement: {
    documentName: string;
    title: string;
    asOf: string;
    customer: string;
    openItems: string;
    columns: {
      number: string;
      issueDate: string;
      dueDate: string;
      daysPastDue: string;
      amountDue: string;
      balance: string;
      reference: string;
    };
    aging: string;
    buckets: { notDue: string; days1to30: string; days31to60: string; days61to90: string; over90: string };
    openBalance: string;
    noOpenItems: string;
    payment: string;
    payee: string;
    statementReference: string;
    referenceHint: string;
  };
  reminder: {
    email: {
      subject: (number: string, daysOverdue: number) => string;
      overdue: (number: string, dueDate: string, balance: string) => string;
      request: string;
    };
  };
  /** The invoice's legal payment and reform mentions (Code de commerce L441-9, L441-10, D441-5). */
  legal: {
    categoryLabel: string;
    category: Record<Invoice['supplyCategory'], string>;
    /** The penalty with its figures: ECB rate of the half-year, margin, resulting annual rate. */
    latePenalty: (ecbRate: string, marginPoints: number, rate: string) => string;
    /** The penalty as a formula (the half-year's ECB rate is not configured): lawful, never a stale figure. */
    latePenaltyFormula: (firstDay: string, marginPoints: number) => string;
    /** The fixed rate printed by invoices issued before the penalty was resolved per half-year. */
    latePenaltyFixedRate: (ratePercent: string) => string;
    /** "1er juillet 2026" / "1 July 2026": the day whose ECB rate applies. */
    firstDayOfHalfYear: (localDate: string) => string;
    recoveryIndemnity: (amount: string) => string;
    noEarlyPaymentDiscount: string;
    vatOnDebits: string;
    /** Beside the rate in the VAT breakdown: the VAT categories that bear no VAT (EN 16931 E, AE, K). */
    vatCategory: { E: string; AE: string; K: string };
  };
  /** The buyer portal's emails: an invitation, a sign-in link and code. */
  buyerAccess: {
    invitation: {
      subject: (accountName: string) => string;
      invited: (name: string, accountName: string, role: string) => string;
      howToSignIn: (portalUrl: string, email: string) => string;
      roles: { viewer: string; admin: string };
    };
    signIn: {
      subject: (code: string) => string;
      code: (code: string) => string;
      link: (url: string) => string;
      validity: string;
      notYou: string;
    };
  };
  /** What every email shares. */
  email: {
    greeting: string;
    signOff: string;
  };
}

/**
 * "10 points", "1 point", "2,5 points": a margin in percentage points, in French. Its figure is written
 * as a quantity is (up to 3 decimals), by the formatter `formatQuantity` keeps: building one costs about
 * 0.1 ms, and every invoice's PDF and e-invoice state the late-payment margin.
 */
function frPoints(points: number): string {
  return `${formatQuantity(points, 'fr')}\u00a0point${Math.abs(points) >= 2 ? 's' : ''}`;
}

/** "10 percentage points", "1 percentage point": a margin in English. */
function enPoints(points: number): string {
  return `${formatQuantity(points, 'en')} percentage point${points === 1 ? '' : 's'}`;
}

/** The French titles of a table of lines: the same on the invoice and the credit note (which has no seller). */
const FR_COLUMNS: LineColumns = {
  seller: 'Vendeur',
  sku: 'Référence',
  description: 'Désignation',
  quantity: 'Qté',
  unitPrice: 'PU HT',
  vatRate: 'TVA',
  net: 'Montant HT',
};

function withoutSeller({ seller: _seller, ...columns }: LineColumns): Omit<LineColumns, 'seller'> {
  return columns;
}

const fr: Catalogue = {
  language: 'fr',
  bcp47: 'fr-FR',
  document: {
    numberSign: 'n°',
    issueDate: "Date d'émission",
    vatId: 'N° TVA intracommunautaire',
    siren: 'SIREN',
    rcs: 'RCS',
    shareCapital: (capital) => `au capital de ${capital}`,
    purchaseOrder: 'Bon de commande',
    order: (reference, date) => `Commande ${reference} du ${date}`,
    orderContinued: '(suite)',
    deliveredTo: 'Livraison',
    page: (page) => `Page ${page}`,
    vatBreakdown: 'Récapitulatif de la TVA',
    vatColumns: { rate: 'Taux', base: 'Base HT', vat: 'Montant TVA' },
    totalNet: 'Total HT',
    totalVat: 'Total TVA',
    totalGross: 'Total TTC',
  },
  invoice: {
    documentName: 'Facture',
    fileStem: 'facture',
    title: 'FACTURE',
    draftTitle: 'PROJET DE FACTURE',
    draftNotice: "Document provisoire, non numéroté\u00a0: ce n'est pas une facture.",
    dueDate: "Date d'échéance",
    period: 'Période',
    periodRange: (start, end) => `du ${start} au ${end}`,
    paymentTerms: 'Conditions de paiement',
    paymentTermsValue: ({ type, days }) =>
      days === 0
        ? type === 'net'
          ? 'à réception'
          : 'fin de mois'
        : type === 'net'
          ? `${days} jours nets`
          : `${days} jours fin de mois`,
    billTo: 'Facturé à',
    deliverTo: 'Adresse de livraison',
    sameAsBillingAddress: "Identique à l'adresse de facturation",
    contents: (orders, lines) =>
      `${orders} commande${orders > 1 ? 's' : ''}, ${lines} ligne${lines > 1 ? 's' : ''}`,
    amountDueBanner: 'Net à payer',
    payBy: (date) => `au plus tard le ${date}`,
    columns: FR_COLUMNS,
    continuedHeader: (number) => `Facture n° ${number} (suite)`,
    amountDue: 'Net à payer',
    payment: 'Règlement',
    dueDateSentence: (date) => `Date d'échéance\u00a0: ${date}`,
    bankTransfer: 'Par virement bancaire',
    iban: 'IBAN',
    bic: 'BIC',
    paymentReference: (number) => `Merci d'indiquer la référence ${number}`,
    noBankDetails: (email) => `Coordonnées bancaires sur demande à ${email}`,
    legalNotices: 'Mentions légales',
    email: {
      subject: (number, issuer, amount, date) =>
        `Facture ${number} — ${issuer} — ${amount} à régler au plus tard le ${date}`,
      intro: (number, issuer, period) =>
        `Veuillez trouver ci-joint la facture n° ${number} de ${issuer} pour la période ${period}.`,
      amountDue: 'Montant à régler',
      howToPay: 'Règlement par virement bancaire',
      questions: (address) => `Pour toute question sur cette facture, écrivez-nous à ${address}.`,
    },
  },
  creditNote: {
    documentName: 'Avoir',
    fileStem: 'avoir',
    title: 'AVOIR',
    corrects: (number, date) => `Rectifie la facture n° ${number} du ${date}`,
    customer: 'CLIENT',
    reason: 'Motif',
    columns: withoutSeller(FR_COLUMNS),
    orderById: (orderId) => `Commande ${orderId}`,
    totalCredit: "Total de l'avoir TTC",
    applied: (amount, number) => `${amount} viennent en déduction du solde de la facture n° ${number}.`,
    email: {
      subject: (number, issuer, amount, invoice) =>
        `Avoir ${number} — ${issuer} — ${amount} sur la facture ${invoice}`,
      intro: (number, issuer, invoice) =>
        `Veuillez trouver ci-joint l'avoir ${number} de ${issuer}, qui rectifie la facture ${invoice}.`,
    },
  },
  statement: {
    documentName: 'Relevé de compte',
    title: 'RELEVÉ DE COMPTE',
    asOf: 'Arrêté au',
    customer: 'Client',
    openItems: 'Pièces ouvertes',
    columns: {
      number: 'Facture',
      issueDate: 'Émise le',
      dueDate: 'Échéance',
      daysPastDue: 'Retard (j)',
      amountDue: 'Montant',
      balance: 'Reste dû',
      reference: 'Référence de paiement',
    },
    aging: 'Ancienneté des soldes',
    buckets: {
      notDue: 'Non échu',
      days1to30: '1 à 30 jours',
      days31to60: '31 à 60 jours',
      days61to90: '61 à 90 jours',
      over90: 'Plus de 90 jours',
    },
    openBalance: 'Solde dû',
    noOpenItems: 'Aucune pièce ouverte : votre compte est à jour.',
    payment: 'Paiement',
    payee: 'Bénéficiaire',
    statementReference: 'Référence du relevé',
    referenceHint:
      "Indiquez la référence de paiement d'une facture pour la régler seule, ou la référence du relevé pour régler l'ensemble.",
  },
  reminder: {
    email: {
      subject: (number, days) => `Relance : facture ${number} échue depuis ${days} jour(s)`,
      overdue: (number, due, balance) =>
        `Sauf erreur de notre part, la facture ${number} échue le ${due} reste impayée : ${balance}.`,
      request: 'Merci de procéder au règlement, ou d’ignorer ce message si celui-ci est en cours.',
    },
  },
  legal: {
    categoryLabel: "Catégorie d'opération",
    category: { goods: 'Livraison de biens', services: 'Prestation de services', mixed: 'Mixte' },
    latePenalty: (ecbRate, points, rate) =>
      `Pénalités de retard\u00a0: taux directeur de la BCE (${ecbRate}) majoré de ${frPoints(points)}, soit ${rate} l'an, exigibles dès le lendemain de la date d'échéance.`,
    latePenaltyFormula: (firstDay, points) =>
      `Pénalités de retard\u00a0: taux directeur de la BCE en vigueur au ${firstDay} majoré de ${frPoints(points)}, exigibles dès le lendemain de la date d'échéance.`,
    latePenaltyFixedRate: (rate) =>
      `Pénalités de retard\u00a0: taux annuel de ${rate} (au moins trois fois le taux d'intérêt légal), exigibles dès le lendemain de la date d'échéance.`,
    firstDayOfHalfYear: (localDate) =>
      `1er ${localDate.slice(5, 7) === '01' ? 'janvier' : 'juillet'} ${localDate.slice(0, 4)}`,
    recoveryIndemnity: (amount) =>
      `Indemnité forfaitaire pour frais de recouvrement\u00a0: ${amount}, due en cas de retard de paiement (art. L441-10 et D441-5 du Code de commerce).`,
    noEarlyPaymentDiscount: "Pas d'escompte pour paiement anticipé.",
    vatOnDebits: "Option pour le paiement de la TVA d'après les débits.",
    vatCategory: { E: 'exonéré', AE: 'autoliq.', K: 'intracom.' },
  },
  buyerAccess: {
    invitation: {
      subject: (account) => `Votre accès au suivi du compte ${account}`,
      invited: (name, account, role) =>
        `${name}, vous avez désormais accès au compte ${account} (${role}) : commandes, factures, paiements et relevé de compte.`,
      howToSignIn: (url, email) =>
        `Pour vous connecter, ouvrez ${url} et saisissez votre adresse ${email} : vous recevrez un lien et un code à usage unique.`,
      roles: { viewer: 'consultation', admin: 'administrateur' },
    },
    signIn: {
      subject: (code) => `Votre code de connexion : ${code}`,
      code: (code) => `Votre code de connexion : ${code}`,
      link: (url) => `Ou cliquez sur ce lien pour vous connecter : ${url}`,
      validity: "Le lien et le code sont valables 15 minutes et ne servent qu'une fois.",
      notYou: "Si vous n'avez rien demandé, ignorez ce message : personne ne peut se connecter sans lui.",
    },
  },
  email: {
    greeting: 'Bonjour,',
    signOff: 'Cordialement,',
  },
};

const en: Catalogue = {
  language: 'en',
  bcp47: 'en-GB',
  document: {
    numberSign: 'No.',
    issueDate: 'Issue date',
    vatId: 'VAT ID',
    siren: 'SIREN',
    rcs: 'RCS',
    shareCapital: (capital) => `with share capital of ${capital}`,
    purchaseOrder: 'Purchase order',
    order: (reference, date) => `Order ${reference} of ${date}`,
    orderContinued: '(continued)',
    deliveredTo: 'Delivery',
    page: (page) => `Page ${page}`,
    vatBreakdown: 'VAT breakdown',
    vatColumns: { rate: 'Rate', base: 'Taxable amount', vat: 'VAT amount' },
    totalNet: 'Total excl. VAT',
    totalVat: 'Total VAT',
    totalGross: 'Total incl. VAT',
  },
  invoice: {
    documentName: 'Invoice',
    fileStem: 'invoice',
    title: 'INVOICE',
    draftTitle: 'DRAFT INVOICE',
    draftNotice: 'Provisional document without a number: this is not an invoice.',
    dueDate: 'Due date',
    period: 'Period',
    periodRange: (start, end) => `${start} to ${end}`,
    paymentTerms: 'Payment terms',
    paymentTermsValue: ({ type, days }) =>
      days === 0
        ? type === 'net'
          ? 'due on receipt'
          : 'end of month'
        : type === 'net'
          ? `net ${days} days`
          : `${days} days end of month`,
    billTo: 'Bill to',
    deliverTo: 'Delivery address',
    sameAsBillingAddress: 'Same as billing address',
    contents: (orders, lines) =>
      `${orders} order${orders > 1 ? 's' : ''}, ${lines} line${lines > 1 ? 's' : ''}`,
    amountDueBanner: 'Amount due',
    payBy: (date) => `by ${date}`,
    columns: {
      seller: 'Seller',
      sku: 'SKU',
      description: 'Description',
      quantity: 'Qty',
      unitPrice: 'Unit price excl. VAT',
      vatRate: 'VAT',
      net: 'Net excl. VAT',
    },
    continuedHeader: (number) => `Invoice No. ${number} (continued)`,
    amountDue: 'Amount due',
    payment: 'Payment',
    dueDateSentence: (date) => `Due date: ${date}`,
    bankTransfer: 'By bank transfer',
    iban: 'IBAN',
    bic: 'BIC',
    paymentReference: (number) => `Please quote reference ${number}`,
    noBankDetails: (email) => `Bank details on request from ${email}`,
    legalNotices: 'Legal notices',
    email: {
      subject: (number, issuer, amount, date) => `Invoice ${number} — ${issuer} — ${amount} due by ${date}`,
      intro: (number, issuer, period) =>
        `Please find attached invoice No. ${number} from ${issuer} for the period ${period}.`,
      amountDue: 'Amount due',
      howToPay: 'Payment by bank transfer',
      questions: (address) => `For any question about this invoice, write to us at ${address}.`,
    },
  },
  creditNote: {
    documentName: 'Credit note',
    fileStem: 'credit-note',
    title: 'CREDIT NOTE',
    corrects: (number, date) => `Corrects invoice No. ${number} of ${date}`,
    customer: 'CUSTOMER',
    reason: 'Reason',
    columns: {
      sku: 'SKU',
      description: 'Description',
      quantity: 'Qty',
      unitPrice: 'Unit price',
      vatRate: 'VAT',
      net: 'Net',
    },
    orderById: (orderId) => `Order ${orderId}`,
    totalCredit: 'Total credited incl. VAT',
    applied: (amount, number) => `${amount} is deducted from the balance of invoice No. ${number}.`,
    email: {
      subject: (number, issuer, amount, invoice) =>
        `Credit note ${number} — ${issuer} — ${amount} on invoice ${invoice}`,
      intro: (number, issuer, invoice) =>
        `Please find attached credit note ${number} from ${issuer}, which corrects invoice ${invoice}.`,
    },
  },
  statement: {
    documentName: 'Statement of account',
    title: 'STATEMENT OF ACCOUNT',
    asOf: 'As of',
    customer: 'Customer',
    openItems: 'Open items',
    columns: {
      number: 'Invoice',
      issueDate: 'Issued',
      dueDate: 'Due',
      daysPastDue: 'Days late',
      amountDue: 'Amount',
      balance: 'Balance',
      reference: 'Payment reference',
    },
    aging: 'Aging',
    buckets: {
      notDue: 'Not due',
      days1to30: '1–30 days',
      days31to60: '31–60 days',
      days61to90: '61–90 days',
      over90: 'Over 90 days',
    },
    openBalance: 'Open balance',
    noOpenItems: 'No open items: your account is up to date.',
    payment: 'Payment',
    payee: 'Payee',
    statementReference: 'Statement reference',
    referenceHint:
      "Quote an invoice's payment reference to pay it alone, or the statement reference to pay everything.",
  },
  reminder: {
    email: {
      subject: (number, days) => `Reminder: invoice ${number} is ${days} day(s) overdue`,
      overdue: (number, due, balance) =>
        `Our records show invoice ${number}, due on ${due}, still unpaid: ${balance}.`,
      request: 'Please arrange payment, or disregard this message if it is on its way.',
    },
  },
  legal: {
    categoryLabel: 'Category of operation',
    category: {
      goods: 'Supply of goods',
      services: 'Supply of services',
      mixed: 'Mixed (goods and services)',
    },
    latePenalty: (ecbRate, points, rate) =>
      `Late-payment penalties: ECB main refinancing rate (${ecbRate}) plus ${enPoints(points)}, i.e. ${rate} a year, due from the day after the due date.`,
    latePenaltyFormula: (firstDay, points) =>
      `Late-payment penalties: ECB main refinancing rate in force on ${firstDay} plus ${enPoints(points)}, due from the day after the due date.`,
    latePenaltyFixedRate: (rate) =>
      `Late-payment penalties: annual rate of ${rate} (at least three times the French legal interest rate), due from the day after the due date.`,
    firstDayOfHalfYear: (localDate) =>
      formatLocalDate(localDate, 'en').replace(/ Jan /, ' January ').replace(/ Jul /, ' July '),
    recoveryIndemnity: (amount) =>
      `Fixed indemnity for recovery costs: ${amount}, due on late payment (French Commercial Code, art. L441-10 and D441-5).`,
    noEarlyPaymentDiscount: 'No discount for early payment.',
    vatOnDebits: 'Option for payment of VAT on debits.',
    vatCategory: { E: 'exempt', AE: 'rev. charge', K: 'intra-EU' },
  },
  buyerAccess: {
    invitation: {
      subject: (account) => `Your access to account ${account}`,
      invited: (name, account, role) =>
        `${name}, you now have access to account ${account} (${role}): orders, invoices, payments and statement of account.`,
      howToSignIn: (url, email) =>
        `To sign in, open ${url} and enter your address ${email}: you will receive a one-time link and code.`,
      roles: { viewer: 'viewer', admin: 'administrator' },
    },
    signIn: {
      subject: (code) => `Your sign-in code: ${code}`,
      code: (code) => `Your sign-in code: ${code}`,
      link: (url) => `Or follow this link to sign in: ${url}`,
      validity: 'The link and the code are valid for 15 minutes and work once.',
      notYou: 'If you did not ask for it, ignore this message: nobody can sign in without it.',
    },
  },
  email: {
    greeting: 'Hello,',
    signOff: 'Kind regards,',
  },
};

/** The catalogue of a document's language. */
export function catalogueFor(language: Language): Catalogue {
  return language === 'fr' ? fr : en;
}
