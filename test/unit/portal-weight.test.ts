/**
 * Issue 11, "How it is built": the portal's first load transfers under 100 KB of JS and CSS, gzipped. The
 * first load is the shell, its stylesheet and script and one page's module; this counts every file the
 * portal has, so no page can grow a framework unnoticed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const PORTAL = new URL('../../portal/', import.meta.url);
const BUDGET_BYTES = 100 * 1024;

async function portalFiles(): Promise<string[]> {
  const entries = await readdir(PORTAL, { recursive: true });
  return entries.filter((name) => /\.(js|css)$/.test(name)).sort();
}

describe('portal page weight', () => {
  it('all its JS and CSS together weigh under 100 KB gzipped, and no file is a bundle of someone else’s', async () => {
    const files = await portalFiles();
    expect(files).toContain('app.js');
    expect(files).toContain('portal.css');
    let total = 0;
    for (const file of files) {
      const text = await readFile(new URL(file, PORTAL), 'utf8');
      expect(text, file).not.toMatch(/sourceMappingURL|node_modules/);
      total += gzipSync(text, { level: 9 }).length;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(BUDGET_BYTES);
  });
});
