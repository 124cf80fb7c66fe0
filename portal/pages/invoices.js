/** Invoices and credit notes: status, paid so far, balance; the PDF (Factur-X) and the XML to download. */
import { api, date, h, money, pagedTable } from '../app.js';

const TEXTS = {
  fr: {
    caption: 'Factures émises',
    number: 'Numéro',
    period: 'Période',
    total: 'Total TTC',
    due: 'Échéance',
    status: 'Statut',
    paid: 'Réglé',
    balance: 'Reste dû',
    files: 'Documents',
    pdf: 'PDF',
    xml: 'XML',
    download: (kind, n) => `Télécharger ${kind} de ${n}`,
    creditNote: (n, d, a) => `Avoir ${n} du ${d} : ${a}`,
    statuses: {
      unpaid: 'Non réglée',
      partially_paid: 'Partiellement réglée',
      paid: 'Réglée',
      overdue: 'En retard',
    },
  },
  en: {
    caption: 'Issued invoices',
    number: 'Number',
    period: 'Period',
    total: 'Gross total',
    due: 'Due date',
    status: 'Status',
    paid: 'Paid so far',
    balance: 'Balance',
    files: 'Documents',
    pdf: 'PDF',
    xml: 'XML',
    download: (kind, n) => `Download the ${kind} of ${n}`,
    creditNote: (n, d, a) => `Credit note ${n} of ${d}: ${a}`,
    statuses: { unpaid: 'Unpaid', partially_paid: 'Partially paid', paid: 'Paid', overdue: 'Overdue' },
  },
};

/** A download button: asks for a link that expires in minutes, then follows it. */
export function downloadButton(path, label, text) {
  return h(
    'button',
    {
      type: 'button',
      className: 'link',
      'aria-label': label,
      onclick: async () => {
        const { url } = await api(path);
        location.assign(url);
      },
    },
    text,
  );
}

export async function render({ main, lang, t: common, base }) {
  const t = TEXTS[lang];
  const readPage = async (cursor) => {
    const rows = [];
    const page = await api(`${base}/invoices${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    // Credit notes are listed on one invoice's own page: read those that have any.
    const details = await Promise.all(
      page.items.map((invoice) =>
        invoice.creditedMinor > 0
          ? api(`${base}/invoices/${encodeURIComponent(invoice.invoiceId)}`)
          : invoice,
      ),
    );
    for (const invoice of details) {
      const m = (minor) => money(minor, invoice.currency, lang);
      const number = invoice.number ?? invoice.invoiceId;
      const path = `${base}/invoices/${encodeURIComponent(invoice.invoiceId)}`;
      rows.push([
        [
          number,
          (invoice.creditNotes ?? []).map((note) =>
            h(
              'div',
              { className: 'muted' },
              t.creditNote(note.number, date(note.issueDate, lang), m(note.grossMinor)),
              ' ',
              downloadButton(
                `${base}/credit-notes/${encodeURIComponent(note.creditNoteId)}/pdf`,
                t.download(t.pdf, note.number),
                t.pdf,
              ),
              downloadButton(
                `${base}/credit-notes/${encodeURIComponent(note.creditNoteId)}/einvoice?format=cii`,
                t.download(t.xml, note.number),
                t.xml,
              ),
            ),
          ),
        ],
        `${date(invoice.period.startDate, lang)} – ${date(invoice.period.endDate, lang)}`,
        m(invoice.totals.grossMinor),
        date(invoice.dueDate, lang),
        h('span', { className: `status-${invoice.status}` }, t.statuses[invoice.status] ?? invoice.status),
        m(invoice.paidMinor),
        m(invoice.balanceMinor),
        [
          downloadButton(`${path}/pdf`, t.download(t.pdf, number), t.pdf),
          downloadButton(`${path}/einvoice?format=cii`, t.download(t.xml, number), t.xml),
        ],
      ]);
    }
    return { rows, nextCursor: page.nextCursor };
  };
  const [holder, more] = await pagedTable({
    caption: t.caption,
    columns: [
      { label: t.number },
      { label: t.period },
      { label: t.total, num: true },
      { label: t.due },
      { label: t.status },
      { label: t.paid, num: true },
      { label: t.balance, num: true },
      { label: t.files },
    ],
    none: common.none,
    moreLabel: common.more,
    readPage,
  });
  main.replaceChildren(h('h1', {}, common.invoices), holder, more);
}
