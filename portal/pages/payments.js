/** Payments: each payment and how it was allocated across invoices. */
import { api, date, h, money, pagedTable } from '../app.js';

const TEXTS = {
  fr: {
    caption: 'Paiements reçus',
    received: 'Reçu le',
    amount: 'Montant',
    method: 'Moyen',
    reference: 'Référence',
    allocations: 'Affecté à',
    reversed: 'Annulé',
    invoice: (n, a) => `Facture ${n} : ${a}`,
  },
  en: {
    caption: 'Payments received',
    received: 'Received',
    amount: 'Amount',
    method: 'Method',
    reference: 'Reference',
    allocations: 'Allocated to',
    reversed: 'Reversed',
    invoice: (n, a) => `Invoice ${n}: ${a}`,
  },
};

export async function render({ main, lang, t: common, base }) {
  const t = TEXTS[lang];
  const readPage = async (cursor) => {
    const rows = [];
    const page = await api(`${base}/payments${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const payment of page.items) {
      const m = (minor) => money(minor, payment.currency, lang);
      rows.push([
        date(payment.receivedOn, lang),
        [
          m(payment.amountMinor),
          payment.status === 'reversed' ? h('div', { className: 'cancelled' }, t.reversed) : null,
        ],
        payment.method,
        payment.reference,
        h(
          'ul',
          {},
          payment.allocations.map((a) =>
            h('li', {}, t.invoice(a.invoiceNumber ?? a.invoiceId, m(a.amountMinor))),
          ),
        ),
      ]);
    }
    return { rows, nextCursor: page.nextCursor };
  };
  const [holder, more] = await pagedTable({
    caption: t.caption,
    columns: [
      { label: t.received },
      { label: t.amount, num: true },
      { label: t.method },
      { label: t.reference },
      { label: t.allocations },
    ],
    none: common.none,
    moreLabel: common.more,
    readPage,
  });
  main.replaceChildren(h('h1', {}, common.payments), holder, more);
}
