/**
 * What the PDF renderers read from disk, once per process.
 *
 * The fonts: DejaVu Sans regular and bold, embedded (subset) in every PDF. PDF/A requires embedded fonts,
 * and DejaVu has every glyph an invoice prints (accents, €, the narrow no-break space of French number
 * formatting).
 *
 * The font files are read and parsed once per process (a warm Lambda reuses them): parsing a 750 KB TTF and
 * building its OpenType layout tables costs tens of milliseconds, far more than rendering an invoice. The
 * parsed fontkit font is handed to pdfkit as is (pdfkit accepts a fontkit font wherever it takes a path);
 * shaped strings and encoded subsets are memoised across documents by the page writer (canvas.ts).
 *
 * The sRGB ICC profile of the PDF/A output intent: pdfkit reads it from `data/sRGB_IEC61966_2_1.icc`
 * relative to its own module, which in an ESM bundle is the bundle file itself. When the font directory
 * also holds that profile (a bundle copies it there with the fonts), it is registered in pdfkit's virtual
 * file system under the very path pdfkit will ask for, so the bundle needs no `data/` folder.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import * as pdfkitModule from 'pdfkit';

/** File names expected in the font directory (INVOICE_FONT_DIR in a Lambda bundle). */
export const DOCUMENT_FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
/** pdfkit's sRGB profile (node_modules/pdfkit/js/data/), optional in the font directory. */
const ICC_PROFILE_FILE = 'sRGB_IEC61966_2_1.icc';

export interface DocumentFonts {
  /** Directory the fonts were read from. */
  dir: string;
  regular: fontkit.Font;
  bold: fontkit.Font;
}

/** pdfkit's in-memory file registry (pdfkit ≥ 0.18; not in @types/pdfkit). */
const registerFile = (pdfkitModule as unknown as { registerFile?: (path: string, data: Uint8Array) => void })
  .registerFile;

const fontsByDir = new Map<string, DocumentFonts>();

/**
 * Where the fonts are: the explicit option, else `INVOICE_FONT_DIR` (set it in a bundle, which has no
 * node_modules), else the `dejavu-fonts-ttf` package's `ttf` folder.
 */
export function resolveFontDir(fontDir?: string): string {
  const configured = fontDir ?? process.env.INVOICE_FONT_DIR;
  if (configured) return configured;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch (cause) {
    throw new Error(
      'Invoice fonts not found: set INVOICE_FONT_DIR to a directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf',
      { cause },
    );
  }
}

/**
 * The parsed document fonts of a directory, read from disk on first use and kept for the process; the ICC
 * profile beside them, if any, is handed to pdfkit at the same time.
 */
export function loadDocumentFonts(fontDir?: string): DocumentFonts {
  const dir = resolveFontDir(fontDir);
  let fonts = fontsByDir.get(dir);
  if (!fonts) {
    fonts = {
      dir,
      regular: openFont(dir, DOCUMENT_FONT_FILES.regular),
      bold: openFont(dir, DOCUMENT_FONT_FILES.bold),
    };
    registerColorProfile(dir);
    fontsByDir.set(dir, fonts);
  }
  return fonts;
}

function openFont(dir: string, file: string): fontkit.Font {
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new Error(`Invoice font ${path} cannot be read (INVOICE_FONT_DIR=${dir})`, { cause });
  }
  return fontkit.create(bytes);
}

/**
 * Serves the ICC profile from the font directory when it is there, under the path pdfkit computes
 * (`new URL('./data/…', import.meta.url)`: in a single-file ESM bundle pdfkit's import.meta.url is this
 * module's). Outside a bundle the registration is harmless: pdfkit reads its own copy in node_modules.
 */
function registerColorProfile(dir: string): void {
  let profile: Buffer;
  try {
    profile = readFileSync(join(dir, ICC_PROFILE_FILE));
  } catch {
    return;
  }
  registerFile?.(new URL(`./data/${ICC_PROFILE_FILE}`, import.meta.url).href, profile);
}
