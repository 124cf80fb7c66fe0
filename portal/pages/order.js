/** One order: its lines with seller and VAT, its totals; a cancelled order is marked. */
import { api, date, h, link, money, table } from '../app.js';

const TEXTS = {
  fr: {
    back: 'Toutes les commandes',
    received: 'Reçue le',
    po: 'Bon de commande',
    cancelled: 'Commande annulée : elle ne sera pas facturée.',
    lines: 'Lignes de la commande',
    item: 'Article',
    seller: 'Vendeur',
    quantity: 'Quantité',
    unit: 'Prix unitaire HT',
    vat: 'TVA',
    net: 'Total HT',
    totals: 'Totaux',
    gross: 'Total TTC',
    vatTotal: 'Total TVA',
  },
  en: {
    back: 'All orders',
    received: 'Received',
    po: 'Purchase order',
    cancelled: 'Cancelled order: it will not be billed.',
    lines: "The order's lines",
    item: 'Item',
    seller: 'Seller',
    quantity: 'Quantity',
    unit: 'Unit price (net)',
    vat: 'VAT',
    net: 'Net total',
    totals: 'Totals',
    gross: 'Gross total',
    vatTotal: 'VAT total',
  },
};

export async function render({ main, lang, t: common, account, base, params }) {
  const t = TEXTS[lang];
  const order = await api(`${base}/orders/${encodeURIComponent(params.get('id') ?? '')}`);
  const m = (minor) => money(minor, order.currency, lang);
  const percent = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 2 });
  main.replaceChildren(
    h(
      'p',
      {},
      h(
        'a',
        { href: link('orders', account.accountId, { periodStart: order.billingPeriod.startDate }) },
        t.back,
      ),
    ),
    h('h1', {}, `${common.order} ${order.reference}`),
    order.cancelled ? h('p', { className: 'alert cancelled' }, t.cancelled) : null,
    h(
      'p',
      { className: 'muted' },
      `${t.received} ${date(order.receivedAt, lang)}`,
      order.purchaseOrderNumber ? ` · ${t.po} ${order.purchaseOrderNumber}` : '',
    ),
    table(
      t.lines,
      [
        { label: t.item },
        { label: t.seller },
        { label: t.quantity, num: true },
        { label: t.unit, num: true },
        { label: t.vat, num: true },
        { label: t.net, num: true },
      ],
      order.lines.map((line) => [
        [line.description ?? line.sku, h('br'), h('span', { className: 'muted' }, line.sku)],
        line.sellerName ?? line.sellerId ?? '',
        percent.format(line.quantity),
        m(line.unitPriceMinor),
        `${percent.format(line.vatRate)} %`,
        m(line.netMinor),
      ]),
    ),
    h('h2', {}, t.totals),
    h(
      'dl',
      { className: 'cards' },
      h('div', {}, h('dt', {}, t.net), h('dd', {}, m(order.totals.netMinor))),
      h('div', {}, h('dt', {}, t.vatTotal), h('dd', {}, m(order.totals.vatMinor))),
      h('div', {}, h('dt', {}, t.gross), h('dd', {}, m(order.totals.grossMinor))),
    ),
  );
}
