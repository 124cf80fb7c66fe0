/**
 * The buyer portal's shell: reads the session, draws the header (pages, account switcher, language,
 * sign-out), then loads the page's own module (`pages/<name>.js`). No framework, no inline script or style
 * (the CSP allows neither); text only through textContent, never HTML.
 */

/** Thrown when the session is gone: the page is leaving for the sign-in page, nothing to report. */
const SIGNED_OUT = new Error('signed out');
const PAGES = ['overview', 'orders', 'order', 'invoices', 'payments', 'statement'];
const NAV = ['overview', 'orders', 'invoices', 'payments', 'statement'];

const TEXTS = {
  fr: {
    title: 'Portail acheteur',
    skip: 'Aller au contenu',
    overview: 'Synthèse',
    orders: 'Commandes',
    order: 'Commande',
    invoices: 'Factures et avoirs',
    payments: 'Paiements',
    statement: 'Relevé de compte',
    account: 'Compte',
    language: 'English',
    languageName: 'Read in English',
    signOut: 'Se déconnecter',
    nav: 'Pages du portail',
    loading: 'Chargement…',
    failed: 'Le chargement a échoué. Réessayez.',
    more: 'Afficher la suite',
    none: 'Aucun élément.',
  },
  en: {
    title: 'Buyer portal',
    skip: 'Skip to content',
    overview: 'Overview',
    orders: 'Orders',
    order: 'Order',
    invoices: 'Invoices and credit notes',
    payments: 'Payments',
    statement: 'Statement of account',
    account: 'Account',
    language: 'Français',
    languageName: 'Lire en français',
    signOut: 'Sign out',
    nav: 'Portal pages',
    loading: 'Loading…',
    failed: 'Loading failed. Please try again.',
    more: 'Show more',
    none: 'Nothing here.',
  },
};

/** The language: the buyer's choice on this device, else the buyer's own, else the browser's. */
export function language(session) {
  const chosen = localStorage.getItem('portal.language');
  if (chosen === 'fr' || chosen === 'en') return chosen;
  if (session?.buyer?.language) return session.buyer.language;
  return navigator.language?.startsWith('fr') ? 'fr' : 'en';
}

/** Builds an element: `h('td', { className: 'num' }, 'text', child)`; strings become text nodes. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name in element && !name.includes('-')) element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An API call on the same origin with the session cookie; a 401 sends the buyer to the sign-in page. */
export async function api(path, { method = 'GET', body, csrfToken, raw = false } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !location.pathname.endsWith('/sign-in')) {
    location.assign('/portal/sign-in');
    throw SIGNED_OUT;
  }
  if (raw) return response;
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw Object.assign(new Error(data?.detail ?? response.statusText), { data, response });
  return data;
}

/** Money in minor units, in the currency's own decimals, in the page's language. */
export function money(minor, currency, lang) {
  const format = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A local date (`2026-12-01`) as the reader writes it. */
export function date(value, lang) {
  if (!value) return '';
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium' }).format(
    new Date(Date.UTC(y, m - 1, d, 12)),
  );
}

/** A portal link that keeps the chosen account. */
export function link(page, accountId, params = {}) {
  const query = new URLSearchParams({ account: accountId, ...params });
  return `/portal/${page}?${query}`;
}

/**
 * A listing read page by page: `readPage(cursor)` answers `{ rows, nextCursor }`. The table (or `none` when
 * empty) grows by one page at each press of the "more" button, shown while the API has a next page.
 * Answers the two elements to place: the table's holder and the button.
 */
export async function pagedTable({ caption, columns, none, moreLabel, readPage }) {
  const holder = h('div');
  const more = h('button', { type: 'button', hidden: true }, moreLabel);
  const rows = [];
  let cursor;
  const load = async () => {
    const page = await readPage(cursor);
    rows.push(...page.rows);
    cursor = page.nextCursor;
    more.hidden = !cursor;
    holder.replaceChildren(rows.length === 0 ? h('p', {}, none) : table(caption, columns, rows));
  };
  more.addEventListener('click', load);
  await load();
  return [holder, more];
}

/** A table in a scrolling box (phones), headers as `th scope=col`; `num` columns right-aligned. */
export function table(caption, columns, rows) {
  return h(
    'div',
    { className: 'table' },
    h(
      'table',
      {},
      h('caption', { className: 'muted' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col', className: c.num ? 'num' : undefined }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((c, i) => h('td', { className: c.num ? 'num' : undefined }, row[i] ?? '')),
          ),
        ),
      ),
    ),
  );
}

function header(session, page, accountId, lang, t) {
  const top = document.getElementById('top');
  const switcher = h(
    'select',
    {
      id: 'account',
      onchange: (event) => location.assign(link(page === 'order' ? 'orders' : page, event.target.value)),
    },
    session.accounts.map((a) =>
      h('option', { value: a.accountId, selected: a.accountId === accountId }, a.name),
    ),
  );
  top.replaceChildren(
    h(
      'nav',
      { 'aria-label': t.nav },
      h(
        'ul',
        {},
        NAV.map((name) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: link(name, accountId), 'aria-current': name === page ? 'page' : undefined },
              t[name],
            ),
          ),
        ),
      ),
    ),
    h(
      'div',
      { className: 'tools' },
      h('label', { htmlFor: 'account', className: 'muted' }, t.account),
      switcher,
      h(
        'button',
        {
          type: 'button',
          className: 'link',
          lang: lang === 'fr' ? 'en' : 'fr',
          'aria-label': t.languageName,
          onclick: () => {
            localStorage.setItem('portal.language', lang === 'fr' ? 'en' : 'fr');
            location.reload();
          },
        },
        t.language,
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: async () => {
            await api('/v1/buyer/session', { method: 'DELETE', csrfToken: session.csrfToken });
            location.assign('/portal/sign-in');
          },
        },
        t.signOut,
      ),
    ),
  );
}

async function main() {
  const name = location.pathname.replace(/^\/portal\/?/, '').replace(/\/$/, '') || 'overview';
  const main = document.getElementById('main');
  if (name === 'sign-in') {
    const lang = language();
    document.documentElement.lang = lang;
    const page = await import('./pages/sign-in.js');
    return page.render({ main, lang, texts: TEXTS[lang] });
  }
  if (!PAGES.includes(name)) {
    location.replace('/portal/');
    return;
  }
  const session = await api('/v1/buyer/session');
  const lang = language(session);
  const t = TEXTS[lang];
  document.documentElement.lang = lang;
  document.querySelector('.skip').textContent = t.skip;
  const wanted = new URLSearchParams(location.search).get('account');
  const account = session.accounts.find((a) => a.accountId === wanted) ?? session.accounts[0];
  if (!account) {
    main.replaceChildren(h('p', {}, t.none));
    return;
  }
  document.title = `${t[name]} · ${account.name} · ${t.title}`;
  header(session, name, account.accountId, lang, t);
  main.replaceChildren(h('p', { className: 'muted' }, t.loading));
  const page = await import(`./pages/${name}.js`);
  const base = `/v1/buyer/accounts/${encodeURIComponent(account.accountId)}`;
  try {
    await page.render({
      main,
      lang,
      t,
      session,
      account,
      base,
      params: new URLSearchParams(location.search),
    });
  } catch (error) {
    if (error === SIGNED_OUT) throw error;
    main.replaceChildren(h('h1', {}, t[name]), h('p', { className: 'alert', role: 'alert' }, t.failed));
    throw error;
  }
}

main().catch((error) => {
  if (error !== SIGNED_OUT) throw error;
});
