/**
 * The buyer portal's contract with whatever serves it (the local HTTP adapter; CloudFront on AWS): where it
 * lives, which paths are pages, and the security headers every portal response carries. One list, so the
 * local server and the CDK response headers policy cannot drift apart.
 */

/** The portal's path prefix, on the API's own origin (same-origin calls: the session cookie, no CORS). */
export const PORTAL_PATH = '/portal';

/** The portal's pages: each is `index.html`, which loads `pages/<name>.js`. */
export const PORTAL_PAGES = [
  'sign-in',
  'overview',
  'orders',
  'order',
  'invoices',
  'payments',
  'statement',
] as const;

/**
 * Scripts and styles from the portal's own files only (no `unsafe-inline`, no eval), calls to the same
 * origin only, never framed. Downloads are followed links (presigned, another origin): navigation, which
 * `connect-src` does not govern.
 */
export const PORTAL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** HSTS for two years (a browser ignores it over plain HTTP, as locally). */
export const PORTAL_HSTS_SECONDS = 63_072_000;

/** The headers of every portal response, lower-case names. */
export const PORTAL_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PORTAL_CONTENT_SECURITY_POLICY,
  'strict-transport-security': `max-age=${PORTAL_HSTS_SECONDS}; includeSubDomains`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The file a portal path serves, relative to the portal's folder: a file path (with an extension) as is,
 * a page (`/portal/`, `/portal/orders`) the shell `index.html`; undefined for anything else (a 404).
 */
export function portalFileOf(pathname: string): string | undefined {
  if (pathname === PORTAL_PATH || pathname === `${PORTAL_PATH}/`) return 'index.html';
  if (!pathname.startsWith(`${PORTAL_PATH}/`)) return undefined;
  const rest = pathname.slice(PORTAL_PATH.length + 1);
  if ((PORTAL_PAGES as readonly string[]).includes(rest)) return 'index.html';
  return /^(pages\/)?[a-z][a-z0-9-]*\.(html|js|css)$/.test(rest) ? rest : undefined;
}
