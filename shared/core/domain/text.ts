/**
 * What free text may hold once stored: it is printed on PDFs, sent in emails and, soon, written into
 * e-invoice XML, and none of them can carry control characters or broken UTF-16 (XML 1.0 forbids most C0
 * characters outright). Letters, marks, digits, punctuation, symbols and spaces of every script are fine,
 * including emoji sequences joined by ZWJ and the French no-break spaces U+00A0 and U+202F.
 */

/** Code points refused anywhere, each with the words used to explain the refusal. */
const FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  // Broken UTF-16 first: a lone surrogate is also "unassigned-like" and deserves the precise reason.
  { pattern: /\p{Cs}/u, what: 'a lone UTF-16 surrogate' },
  { pattern: /\p{Cc}/u, what: 'a control character' },
  // Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what
  // follows them on screen ("Trojan Source"), so a reference or an amount could read other than it is.
  { pattern: /[\u202A-\u202E\u2066-\u2069]/u, what: 'a bidirectional override, embedding or isolate' },
  { pattern: /[\u2028\u2029]/u, what: 'a line or paragraph separator' },
  { pattern: /\p{Noncharacter_Code_Point}/u, what: 'a Unicode noncharacter' },
  { pattern: /\p{Co}/u, what: 'a private-use character' },
  { pattern: /\p{Cn}/u, what: 'an unassigned code point' },
];

/** `U+0000` style name of a code point. */
function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Any refused code point, in one pass: most texts are checked by this test alone. */
const ANY_FORBIDDEN =
  /[\p{Cs}\p{Cc}\u202A-\u202E\u2066-\u2069\u2028\u2029\p{Noncharacter_Code_Point}\p{Co}\p{Cn}]/u;

/**
 * Why a text cannot be stored, or undefined when it can. With `multiline`, line feeds are allowed (and
 * only them: a CR or a tab is still a control character). The reason names the first offending code point
 * and its position (in code points, counting from 1), so a caller can find it.
 */
export function textProblem(text: string, options: { multiline?: boolean } = {}): string | undefined {
  if (!ANY_FORBIDDEN.test(options.multiline ? text.replaceAll('\n', '') : text)) return undefined;
  const codePoints = [...text];
  for (let index = 0; index < codePoints.length; index++) {
    const char = codePoints[index] as string;
    if (options.multiline && char === '\n') continue;
    const forbidden = FORBIDDEN.find(({ pattern }) => pattern.test(char));
    if (forbidden) {
      return `must not contain ${forbidden.what} (${codePointName(char)} at character ${index + 1})`;
    }
  }
  return undefined;
}

/** The stored form of a text: Unicode NFC (composed accents, as PDFs and XML expect), then trimmed. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}
