import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { PORTAL_SECURITY_HEADERS, portalFileOf } from '../../shared/contracts/http/portal.js';

/** The portal's static files: `portal/` at the top of the repository (browser code, not a Lambda's). */
export const PORTAL_DIR = new URL('../../portal/', import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * Serves `/portal/*` locally the way CloudFront does on AWS: a page path gets the shell `index.html`, a
 * file path its file, anything else 404; GET and HEAD only; every answer with the portal's security
 * headers. Files are read at each request (edit and reload).
 */
export async function servePortal(pathname: string, method: string, res: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(PORTAL_SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('cache-control', 'no-cache');
  const file = portalFileOf(pathname);
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed\n');
    return;
  }
  const body = file ? await readFile(new URL(file, PORTAL_DIR)).catch(() => undefined) : undefined;
  if (!file || !body) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not Found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[file.split('.').pop() as string] as string,
    'content-length': body.length,
  });
  res.end(method === 'HEAD' ? undefined : body);
}
