/**
 * The buyer portal's weight (issue 11): what a first load transfers in JS and CSS, gzipped, counted over
 * every JS and CSS file the portal has (the shell's stylesheet and script and every page's module, more than
 * one first load fetches), so no page can grow a framework unnoticed. Sizes, not timings: absolute.
 */
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../infra/bundling/esbuild-options.js';

export interface PortalWeight {
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  /** Every JS and CSS file of the portal, each gzipped (level 9, as a CDN would serve it), summed. */
  gzipBytes: number;
}

export async function portalWeight(dir = `${REPO_ROOT}portal/`): Promise<PortalWeight> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => /\.(js|css)$/.test(name)).sort();
  const files = await Promise.all(
    names.map(async (file) => {
      const text = await readFile(`${dir}${file}`, 'utf8');
      return { file, bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text, { level: 9 }).length };
    }),
  );
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}
