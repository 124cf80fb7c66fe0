/** Orders: one billing period (the current one by default), searched by reference or purchase order. */
import { api, date, h, link, money, pagedTable } from '../app.js';

const TEXTS = {
  fr: {
    period: 'Début de la période',
    search: 'Référence ou bon de commande',
    show: 'Afficher',
    reference: 'Référence',
    po: 'Bon de commande',
    received: 'Reçue le',
    status: 'État',
    gross: 'TTC',
    cancelled: 'Annulée',
    billed: 'Facturée',
    accepted: 'En cours',
    caption: 'Commandes de la période',
  },
  en: {
    period: 'Period start',
    search: 'Reference or purchase order',
    show: 'Show',
    reference: 'Reference',
    po: 'Purchase order',
    received: 'Received',
    status: 'Status',
    gross: 'Gross',
    cancelled: 'Cancelled',
    billed: 'Billed',
    accepted: 'Open',
    caption: "The period's orders",
  },
};

export async function render({ main, lang, t: common, account, base, params }) {
  const t = TEXTS[lang];
  const periodStart = params.get('periodStart') ?? '';
  const q = params.get('q') ?? '';
  const form = h(
    'form',
    { method: 'get', action: '/portal/orders' },
    h('input', { type: 'hidden', name: 'account', value: account.accountId }),
    h(
      'label',
      { htmlFor: 'periodStart' },
      t.period,
      h('input', { type: 'date', id: 'periodStart', name: 'periodStart', value: periodStart }),
    ),
    h(
      'label',
      { htmlFor: 'q' },
      t.search,
      h('input', { type: 'search', id: 'q', name: 'q', value: q, maxLength: 100 }),
    ),
    h('button', { type: 'submit' }, t.show),
  );
  const readPage = async (cursor) => {
    const rows = [];
    const query = new URLSearchParams();
    if (periodStart) query.set('periodStart', periodStart);
    if (q) query.set('q', q);
    if (cursor) query.set('cursor', cursor);
    const page = await api(`${base}/orders?${query}`);
    for (const order of page.items)
      rows.push([
        h('a', { href: link('order', account.accountId, { id: order.orderId }) }, order.reference),
        order.purchaseOrderNumber ?? '',
        date(order.receivedAt, lang),
        order.cancelled
          ? h('span', { className: 'cancelled' }, t.cancelled)
          : (t[order.status] ?? order.status),
        money(order.totals.grossMinor, order.currency, lang),
      ]);
    return { rows, nextCursor: page.nextCursor };
  };
  const [holder, more] = await pagedTable({
    caption: t.caption,
    columns: [
      { label: t.reference },
      { label: t.po },
      { label: t.received },
      { label: t.status },
      { label: t.gross, num: true },
    ],
    none: common.none,
    moreLabel: common.more,
    readPage,
  });
  main.replaceChildren(h('h1', {}, common.orders), form, holder, more);
}
