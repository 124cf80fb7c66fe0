/**
 * The official e-invoice validator, for the tests (test/support/einvoice-validation.ts re-exports it) and
 * for the fake approved platform of `npm start` (`officialFlowValidator`). Validates many e-invoices in one
 * go, as receiving platforms do and with the same verdicts as `test/einvoicing/validate` (the official
 * artefacts, vendored there): the XML schema (xmllint), then the
 * CEN EN 16931 rules and, for CII, the Factur-X 1.09 EN 16931 rules (compiled schematron run by Saxon);
 * a failed assertion flagged fatal or error (or unflagged) fails the file, warnings are listed. Saxon
 * compiles each rule set once and transforms a whole directory, so a batch costs about as much as one
 * file (about 10 s), not 10 s a file.
 *
 * Needs Java, Saxon-HE (`libsaxonhe-java`), xmllint (`libxml2-utils`) and pdfdetach (`poppler-utils`);
 * `.ci/run` installs them. `validatorMissing()` says what is missing, for a test to skip with the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type FlowValidator, wellFormedValidator } from './fake-platform-validator.js';

const run = promisify(execFile);

const ARTEFACTS = join(import.meta.dirname, '..', '..', 'test', 'einvoicing');
const SAXON_JAR = '/usr/share/java/Saxon-HE.jar';

const RULES = {
  cenCii: join(ARTEFACTS, 'cen', 'EN16931-CII-validation.xslt'),
  facturX: join(ARTEFACTS, 'facturx-en16931', 'Factur-X_1.09_EN16931.xsl'),
  cenUbl: join(ARTEFACTS, 'cen', 'EN16931-UBL-validation.xslt'),
};
const SCHEMAS = {
  cii: join(ARTEFACTS, 'facturx-en16931', 'Factur-X_EN16931.xsd'),
  invoice: join(ARTEFACTS, 'ubl-2.1', 'maindoc', 'UBL-Invoice-2.1.xsd'),
  creditNote: join(ARTEFACTS, 'ubl-2.1', 'maindoc', 'UBL-CreditNote-2.1.xsd'),
};

/** What one file got: failures (rule id and message, or the schema's complaint) and warning rule ids. */
export interface Verdict {
  errors: string[];
  warnings: string[];
}

/** Whether a command is on the PATH. */
async function has(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** Why the validator cannot run here (the tools to install), or undefined when it can. */
export async function validatorMissing(): Promise<string | undefined> {
  const missing: string[] = [];
  if (!(await has('java'))) missing.push('java (openjdk-17-jre-headless)');
  if (!existsSync(SAXON_JAR)) missing.push('Saxon-HE (libsaxonhe-java)');
  if (!(await has('xmllint'))) missing.push('xmllint (libxml2-utils)');
  if (!(await has('pdfdetach')) || !(await has('pdftotext')))
    missing.push('pdfdetach and pdftotext (poppler-utils)');
  return missing.length > 0 ? `e-invoice validator unavailable: install ${missing.join(', ')}` : undefined;
}

/** Extracts a Factur-X PDF's `factur-x.xml`, or undefined when it has none. */
export async function extractFacturX(pdf: Buffer): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'facturx-'));
  try {
    await writeFile(join(dir, 'in.pdf'), pdf);
    const { stdout } = await run('pdfdetach', ['-list', join(dir, 'in.pdf')]);
    if (!/\bfactur-x\.xml\b/.test(stdout)) return undefined;
    await run('pdfdetach', ['-savefile', 'factur-x.xml', '-o', join(dir, 'out.xml'), join(dir, 'in.pdf')]);
    return await readFile(join(dir, 'out.xml'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Kind = keyof typeof SCHEMAS;

function kindOf(xml: string): Kind | undefined {
  const root = /<(?:[A-Za-z0-9]+:)?(CrossIndustryInvoice|Invoice|CreditNote)[\s>]/.exec(xml)?.[1];
  if (root === 'CrossIndustryInvoice') return 'cii';
  if (root === 'Invoice') return 'invoice';
  if (root === 'CreditNote') return 'creditNote';
  return undefined;
}

const decode = (text: string) =>
  text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** Reads an SVRL report into the verdict: fatal and error (and unflagged) assertions fail. */
function readSvrl(svrl: string, verdict: Verdict): void {
  for (const match of svrl.matchAll(/<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g)) {
    const attributes = match[1] ?? '';
    const id = /\bid="([^"]*)"/.exec(attributes)?.[1] ?? '?';
    const flag = /\bflag="([^"]*)"/.exec(attributes)?.[1] ?? 'fatal';
    if (flag === 'fatal' || flag === 'error') {
      verdict.errors.push(`${id}: ${decode(match[2] ?? '').slice(0, 200)}`);
    } else {
      verdict.warnings.push(id);
    }
  }
}

/** Runs one compiled rule set over every file of a directory (Saxon compiles it once). */
async function applyRules(rules: string, inputDir: string, outputDir: string): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  await run(
    'java',
    ['-cp', SAXON_JAR, 'net.sf.saxon.Transform', `-s:${inputDir}`, `-xsl:${rules}`, `-o:${outputDir}`],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/**
 * Validates every document given (CII or UBL XML, or a Factur-X PDF whose `factur-x.xml` is checked) and
 * returns each one's verdict by name. Names must be file names (letters, digits, `.`, `-`, `_`).
 */
export async function validateEInvoices(
  documents: Record<string, string | Buffer>,
): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  const work = await mkdtemp(join(tmpdir(), 'einvoices-'));
  try {
    const byKind: Record<Kind, string[]> = { cii: [], invoice: [], creditNote: [] };
    for (const [name, content] of Object.entries(documents)) {
      const verdict: Verdict = { errors: [], warnings: [] };
      verdicts.set(name, verdict);
      let xml: string | undefined;
      if (Buffer.isBuffer(content) && content.subarray(0, 5).toString('latin1') === '%PDF-') {
        xml = await extractFacturX(content);
        if (xml === undefined) {
          verdict.errors.push('no factur-x.xml embedded');
          continue;
        }
      } else {
        xml = content.toString();
      }
      const kind = kindOf(xml);
      if (!kind) {
        verdict.errors.push('neither CII nor UBL');
        continue;
      }
      const dir = join(work, kind);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${name}.xml`), xml);
      byKind[kind].push(name);
    }

    // The schema first: a file the schema refuses is not given to the rules (as `validate` does).
    for (const kind of Object.keys(byKind) as Kind[]) {
      const names = byKind[kind];
      if (names.length === 0) continue;
      const files = names.map((name) => join(work, kind, `${name}.xml`));
      const output = await run('xmllint', ['--noout', '--schema', SCHEMAS[kind], ...files]).then(
        ({ stderr }) => stderr,
        (error: { stderr?: string }) => error.stderr ?? String(error),
      );
      for (const [index, name] of names.entries()) {
        const file = files[index] as string;
        if (output.includes(`${file} validates`)) continue;
        const complaint = output
          .split('\n')
          .filter((line) => line.startsWith(file) && !line.endsWith('fails to validate'))
          .slice(0, 3)
          .join(' ');
        verdicts.get(name)?.errors.push(`schema: ${complaint || 'fails to validate'}`);
        await rm(file);
      }
    }

    const jobs: Array<[string, Kind[]]> = [
      [RULES.cenCii, ['cii']],
      [RULES.facturX, ['cii']],
      [RULES.cenUbl, ['invoice', 'creditNote']],
    ];
    await Promise.all(
      jobs.flatMap(([rules, kinds]) =>
        kinds.map(async (kind) => {
          const input = join(work, kind);
          if (!existsSync(input) || (await readdir(input)).length === 0) return;
          const output = join(work, 'svrl', `${kind}-${rules.replace(/\W/g, '_')}`);
          await applyRules(rules, input, output);
          for (const file of await readdir(output)) {
            const verdict = verdicts.get(file.replace(/\.xml$/, ''));
            if (verdict) readSvrl(await readFile(join(output, file), 'utf8'), verdict);
          }
        }),
      ),
    );
    return verdicts;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The fake platform's validator with the official rules: a document must first pass the default checks
 * (well-formed, no DTD, the root its syntax declares, a CII inside a Factur-X), then the schema and the
 * EN 16931 and Factur-X rules; each failure names its rule (`BR-CO-16: …`), which the fake turns into the
 * rejection's reasons. One validation costs a JVM start and the rules' compilation (about 9 s), whatever
 * the number of documents: deposits arriving within `windowMs` of each other are validated in one batch.
 */
export function officialFlowValidator(options: { windowMs?: number } = {}): FlowValidator {
  const windowMs = options.windowMs ?? 250;
  let batch: { documents: Record<string, Buffer>; verdicts: Promise<Map<string, Verdict>> } | undefined;
  let next = 0;
  return async (document, syntax) => {
    const shape = await wellFormedValidator(document, syntax);
    if (!shape.ok) return shape;
    if (!batch) {
      const documents: Record<string, Buffer> = {};
      batch = {
        documents,
        verdicts: delay(windowMs).then(() => {
          batch = undefined;
          return validateEInvoices(documents);
        }),
      };
    }
    const name = `flow-${++next}`;
    batch.documents[name] = Buffer.from(document);
    const verdict = (await batch.verdicts).get(name);
    const failures = verdict?.errors ?? ['the validator gave no verdict'];
    return { ok: failures.length === 0, failures };
  };
}
