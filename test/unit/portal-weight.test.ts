/**
 * Issue 11, "How it is built": the portal's first load transfers under 100 KB of JS and CSS, gzipped. The
 * first load is the shell, its stylesheet and script and one page's module; this counts every file the
 * portal has, so no page can grow a framework unnoticed.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { portalWeight } from '../../bench/portal-weight.js';
import { TARGETS } from '../../bench/targets.js';

const PORTAL = new URL('../../portal/', import.meta.url);

describe('portal page weight', () => {
  it('all its JS and CSS together weigh under 100 KB gzipped, and no file is a bundle of someone else’s', async () => {
    const weight = await portalWeight();
    const files = weight.files.map((f) => f.file);
    expect(files).toContain('app.js');
    expect(files).toContain('portal.css');
    for (const file of files) {
      const text = await readFile(new URL(file, PORTAL), 'utf8');
      expect(text, file).not.toMatch(/sourceMappingURL|node_modules/);
    }
    expect(weight.gzipBytes).toBeGreaterThan(0);
    expect(weight.gzipBytes).toBeLessThan(TARGETS.portalFirstLoadGzipBytes);
  });
});
