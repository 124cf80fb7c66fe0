import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the portal's browser tests: Debian's `chromium` package (`.ci/run` installs it),
 * driven by playwright-core. `CHROMIUM_PATH` names another executable.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Containers and CI run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox'],
  });
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules and best
 * practices). axe is evaluated through the DevTools protocol: the page's CSP refuses inline scripts (a
 * script tag would be blocked), and the test must not turn the CSP off to look at the page.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // axe-core's own script, as its package hands it to Node for injection.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe;
    // `document` of the page (the test's TypeScript has no DOM library).
    const page = (globalThis as unknown as { document: unknown }).document;
    const result = (await axe.run(page, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })) as {
      violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The amount a figure shows, back in minor units: its digits (`1 234,56 €` → 123456). */
export const minorOf = (text: string | null): number => Number((text ?? '').replace(/[^\d]/g, ''));
