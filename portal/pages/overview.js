/** Overview: credit, the current period so far, what falls due next, what is overdue, ordering. */
import { api, date, h, link, money, table } from '../app.js';

const TEXTS = {
  fr: {
    credit: 'Crédit',
    limit: 'Plafond de crédit',
    used: 'Utilisé',
    available: 'Disponible',
    usedDetail: (o, i) => `dont commandes non facturées ${o}, factures impayées ${i}`,
    period: 'Période en cours',
    periodDetail: (s, e, c, i) => `Du ${s} au ${e} : clôture le ${c}, facture datée du ${i}.`,
    net: 'HT',
    vat: 'TVA',
    gross: 'TTC',
    reference: 'Référence',
    po: 'Bon de commande',
    received: 'Reçue le',
    periodOrders: 'Commandes de la période en cours',
    more: 'Toutes les commandes de la période',
    nextDue: 'Prochaine échéance',
    nextDueText: (n, d, a) => `Facture ${n} : ${a} à régler le ${d}.`,
    nothingDue: 'Rien à régler.',
    overdue: 'En retard',
    overdueText: (c, a) => `${c} facture(s) en retard, ${a} au total.`,
    noOverdue: 'Aucune facture en retard.',
    suspended: 'Les commandes sont suspendues :',
    open: 'Vous pouvez commander.',
    reasons: {
      account_not_active: 'le compte n’est pas actif',
      contract_not_in_force: 'le contrat n’est pas en vigueur',
      overdue_debt: 'des factures sont en retard de paiement',
      credit_limit_reached: 'le plafond de crédit est atteint',
    },
  },
  en: {
    credit: 'Credit',
    limit: 'Credit limit',
    used: 'Used',
    available: 'Available',
    usedDetail: (o, i) => `of which unbilled orders ${o}, unpaid invoices ${i}`,
    period: 'Current period',
    periodDetail: (s, e, c, i) => `From ${s} to ${e}: closes on ${c}, invoice dated ${i}.`,
    net: 'Net',
    vat: 'VAT',
    gross: 'Gross',
    reference: 'Reference',
    po: 'Purchase order',
    received: 'Received',
    periodOrders: "The current period's orders",
    more: "All the period's orders",
    nextDue: 'Next due',
    nextDueText: (n, d, a) => `Invoice ${n}: ${a} due on ${d}.`,
    nothingDue: 'Nothing due.',
    overdue: 'Overdue',
    overdueText: (c, a) => `${c} overdue invoice(s), ${a} in all.`,
    noOverdue: 'No overdue invoice.',
    suspended: 'Ordering is suspended:',
    open: 'You may order.',
    reasons: {
      account_not_active: 'the account is not active',
      contract_not_in_force: 'the contract is not in force',
      overdue_debt: 'invoices are overdue',
      credit_limit_reached: 'the credit limit is reached',
    },
  },
};

export async function render({ main, lang, t: common, account, base }) {
  const t = TEXTS[lang];
  const o = await api(`${base}/overview`);
  const m = (minor) => money(minor, o.currency, lang);
  const figure = (id, label, value) =>
    h('div', {}, h('dt', {}, label), h('dd', { 'data-figure': id }, value));
  const p = o.currentPeriod;
  main.replaceChildren(
    h('h1', {}, `${common.overview} · ${o.legalName}`),
    o.ordering.suspended
      ? h(
          'div',
          { className: 'alert', role: 'alert' },
          h('p', {}, t.suspended),
          h(
            'ul',
            {},
            o.ordering.reasons.map((r) => h('li', {}, t.reasons[r.code] ?? r.detail)),
          ),
        )
      : h('p', { className: 'note' }, t.open),
    h('h2', {}, t.credit),
    h(
      'dl',
      { className: 'cards' },
      figure('creditLimit', t.limit, m(o.credit.creditLimitMinor)),
      figure('used', t.used, m(o.credit.usedMinor)),
      figure('available', t.available, m(o.credit.availableCreditMinor)),
    ),
    h(
      'p',
      { className: 'muted' },
      t.usedDetail(m(o.credit.unbilledOrdersMinor), m(o.credit.unpaidInvoicesMinor)),
    ),
    h('h2', {}, t.period),
    h(
      'p',
      {},
      t.periodDetail(
        date(p.startDate, lang),
        date(p.endDate, lang),
        date(p.closesAt, lang),
        date(p.invoiceDate, lang),
      ),
    ),
    h(
      'dl',
      { className: 'cards' },
      figure('periodNet', t.net, m(p.totals.netMinor)),
      figure('periodVat', t.vat, m(p.totals.vatMinor)),
      figure('periodGross', t.gross, m(p.totals.grossMinor)),
    ),
    table(
      t.periodOrders,
      [{ label: t.reference }, { label: t.po }, { label: t.received }, { label: t.gross, num: true }],
      p.orders.map((order) => [
        h('a', { href: link('order', account.accountId, { id: order.orderId }) }, order.reference),
        order.purchaseOrderNumber ?? '',
        date(order.receivedAt, lang),
        m(order.totals.grossMinor),
      ]),
    ),
    h('p', {}, h('a', { href: link('orders', account.accountId) }, t.more)),
    h('h2', {}, t.nextDue),
    h(
      'p',
      { 'data-figure': 'nextDue' },
      o.nextDue
        ? t.nextDueText(o.nextDue.number ?? '', date(o.nextDue.dueDate, lang), m(o.nextDue.balanceMinor))
        : t.nothingDue,
    ),
    h('h2', {}, t.overdue),
    h(
      'p',
      { 'data-figure': 'overdue', className: o.overdue.count > 0 ? 'alert' : undefined },
      o.overdue.count > 0 ? t.overdueText(o.overdue.count, m(o.overdue.totalMinor)) : t.noOverdue,
    ),
  );
}
