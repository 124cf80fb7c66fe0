/** Statement of account: open items aged, totals per bucket (the open balance), downloads, how to pay. */
import { api, date, h, money, table } from '../app.js';

const BUCKETS = ['notDue', 'days1to30', 'days31to60', 'days61to90', 'over90'];
const TEXTS = {
  fr: {
    asOf: (d) => `Au ${d}`,
    caption: 'Factures ouvertes',
    number: 'Facture',
    issued: 'Émise le',
    due: 'Échéance',
    late: 'Jours de retard',
    balance: 'Reste dû',
    reference: 'Référence de paiement',
    aging: 'Ancienneté',
    buckets: {
      notDue: 'Non échu',
      days1to30: '1 à 30 jours',
      days31to60: '31 à 60 jours',
      days61to90: '61 à 90 jours',
      over90: 'Plus de 90 jours',
    },
    total: 'Solde ouvert',
    downloads: 'Télécharger',
    csv: 'Relevé CSV',
    pdf: 'Relevé PDF',
    howToPay: 'Comment payer',
    payee: 'Bénéficiaire',
    iban: 'IBAN',
    bic: 'BIC',
    statementReference: 'Référence pour régler tout le relevé',
    perInvoice: 'Pour régler une seule facture, indiquez sa référence de paiement (tableau ci-dessus).',
    empty: 'Aucune facture ouverte.',
  },
  en: {
    asOf: (d) => `As of ${d}`,
    caption: 'Open invoices',
    number: 'Invoice',
    issued: 'Issued',
    due: 'Due date',
    late: 'Days past due',
    balance: 'Balance',
    reference: 'Payment reference',
    aging: 'Aging',
    buckets: {
      notDue: 'Not due',
      days1to30: '1–30 days',
      days31to60: '31–60 days',
      days61to90: '61–90 days',
      over90: 'Over 90 days',
    },
    total: 'Open balance',
    downloads: 'Download',
    csv: 'Statement (CSV)',
    pdf: 'Statement (PDF)',
    howToPay: 'How to pay',
    payee: 'Payee',
    iban: 'IBAN',
    bic: 'BIC',
    statementReference: 'Reference to pay the whole statement',
    perInvoice: 'To pay one invoice only, quote its payment reference (table above).',
    empty: 'No open invoice.',
  },
};

/** Fetches a file of the API with the session and hands it to the browser as a download. */
function downloadFile(path, filename, text) {
  return h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        const response = await api(path, { raw: true });
        if (!response.ok) throw new Error(`download failed: ${response.status}`);
        const url = URL.createObjectURL(await response.blob());
        const anchor = h('a', { href: url, download: filename, hidden: true });
        document.body.append(anchor);
        anchor.click();
        anchor.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      },
    },
    text,
  );
}

export async function render({ main, lang, t: common, base }) {
  const t = TEXTS[lang];
  const s = await api(`${base}/statement?language=${lang}`);
  const m = (minor) => money(minor, s.currency, lang);
  const figure = (id, label, value) =>
    h('div', {}, h('dt', {}, label), h('dd', { 'data-bucket': id }, value));
  main.replaceChildren(
    h('h1', {}, `${common.statement} · ${s.legalName}`),
    h('p', { className: 'muted' }, t.asOf(date(s.asOf, lang))),
    h('h2', {}, t.aging),
    h(
      'dl',
      { className: 'cards' },
      BUCKETS.map((bucket) => figure(bucket, t.buckets[bucket], m(s.totals[bucket]))),
      figure('total', t.total, m(s.totals.totalMinor)),
    ),
    s.items.length === 0
      ? h('p', {}, t.empty)
      : table(
          t.caption,
          [
            { label: t.number },
            { label: t.issued },
            { label: t.due },
            { label: t.late, num: true },
            { label: t.balance, num: true },
            { label: t.reference },
          ],
          s.items.map((item) => [
            item.number,
            date(item.issueDate, lang),
            date(item.dueDate, lang),
            String(item.daysPastDue),
            m(item.balanceMinor),
            item.creditorReference,
          ]),
        ),
    h('h2', {}, t.downloads),
    h(
      'p',
      { className: 'tools' },
      downloadFile(`${base}/statement?format=csv&language=${lang}`, `statement-${s.asOf}.csv`, t.csv),
      ' ',
      downloadFile(`${base}/statement/pdf?language=${lang}`, `statement-${s.asOf}.pdf`, t.pdf),
    ),
    h('h2', {}, t.howToPay),
    h(
      'dl',
      {},
      h('dt', {}, t.payee),
      h('dd', {}, s.payment.payee),
      s.payment.iban ? [h('dt', {}, t.iban), h('dd', {}, s.payment.iban)] : null,
      s.payment.bic ? [h('dt', {}, t.bic), h('dd', {}, s.payment.bic)] : null,
      h('dt', {}, t.statementReference),
      h('dd', { 'data-figure': 'statementReference' }, s.payment.statementCreditorReference),
    ),
    h('p', { className: 'muted' }, t.perInvoice),
  );
}
