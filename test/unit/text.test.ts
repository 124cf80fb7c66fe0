import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textSchema } from '../../shared/contracts/schemas/common.js';

const single = textSchema(1, 200);
const multiline = textSchema(1, 200, { multiline: true });

/** The first reason zod gives, or undefined when the text is accepted. */
const reasonOf = (schema: typeof single, text: string) => {
  const result = schema.safeParse(text);
  return result.success ? undefined : result.error.issues[0]?.message;
};

describe('textSchema accepts what people write, in every script', () => {
  it.each([
    ['French with accents', 'Crème brûlée à l’ancienne, façon Émile'],
    ['French spacing (U+00A0, U+202F)', 'Prix\u00a0: 12,50\u202f€ « TTC »'],
    ['Chinese', '北京烤鸭有限公司'],
    ['Arabic (right to left, with its marks)', 'شركة الأغذية المتحدة'],
    ['Greek', 'Ελληνικά Τρόφιμα Α.Ε.'],
    ['Hebrew with a right-to-left mark', 'חברה בע״מ\u200f'],
    ['emoji joined by ZWJ', 'Équipe 👩‍👩‍👧‍👦 et drapeau 🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['Persian with a zero-width non-joiner', 'می‌خواهم'],
    ['symbols and punctuation', 'Réf. #A-12/3 (x2) & co — 50 % ≥ 1 ✓'],
  ])('%s', (_case, text) => {
    expect(single.parse(text)).toBe(text.normalize('NFC'));
  });

  it('normalises to NFC and trims', () => {
    // "é" as e + combining acute (NFD) becomes the single code point U+00E9.
    expect(single.parse('  Cafe\u0301 de Paris \u00a0')).toBe('Café de Paris');
  });

  it('measures the length after trimming: blank text is empty', () => {
    expect(reasonOf(single, '   ')).toBe('must not be empty');
    expect(reasonOf(textSchema(1, 3), 'abcd')).toBe('must have at most 3 characters');
  });
});

describe('textSchema refuses what cannot be printed or sent, naming the code point', () => {
  it.each([
    ['NUL', 'abc\u0000def', /control character \(U\+0000 at character 4\)/],
    ['a tab', 'a\tb', /control character \(U\+0009/],
    ['a line feed in a single-line field', 'line 1\nline 2', /control character \(U\+000A/],
    ['a carriage return', 'a\rb', /control character \(U\+000D/],
    ['DEL', 'a\u007fb', /control character \(U\+007F/],
    ['a C1 control (NEL)', 'a\u0085b', /control character \(U\+0085/],
    ['a lone high surrogate', 'a\ud800b', /lone UTF-16 surrogate \(U\+D800/],
    ['a lone low surrogate at the end', 'ab\udc00', /lone UTF-16 surrogate \(U\+DC00 at character 3\)/],
    ['a right-to-left override', 'invoice\u202eFDP.exe', /bidirectional .* \(U\+202E/],
    ['a left-to-right embedding', 'a\u202ab', /bidirectional .* \(U\+202A/],
    ['a first-strong isolate', 'a\u2068b', /bidirectional .* \(U\+2068/],
    ['a pop directional isolate', 'a\u2069b', /bidirectional .* \(U\+2069/],
    ['a line separator', 'a\u2028b', /line or paragraph separator \(U\+2028/],
    ['a paragraph separator', 'a\u2029b', /line or paragraph separator \(U\+2029/],
    ['a noncharacter', 'a\ufdd0b', /noncharacter \(U\+FDD0/],
    ['the noncharacter U+FFFF', 'a\uffffb', /noncharacter \(U\+FFFF/],
    ['a private-use character', 'a\ue000b', /private-use character \(U\+E000/],
    ['a supplementary private-use character', 'a\u{F0000}b', /private-use character \(U\+F0000/],
    ['an unassigned code point', 'a\u0378b', /unassigned code point \(U\+0378/],
  ])('%s', (_case, text, reason) => {
    expect(reasonOf(single, text)).toMatch(reason);
  });

  it('refuses, never strips: the text is not stored changed', () => {
    const result = single.safeParse('Farine\u0000T65');
    expect(result.success).toBe(false);
  });

  it('allows line feeds, and only them, when multiline', () => {
    expect(multiline.parse('Retour\nlot 12')).toBe('Retour\nlot 12');
    expect(reasonOf(multiline, 'Retour\r\nlot 12')).toMatch(/U\+000D/);
    expect(reasonOf(multiline, 'a\tb')).toMatch(/U\+0009/);
  });

  it('accepts exactly the texts free of every refused class (property)', () => {
    const refused = /[\p{Cs}\p{Cc}\u202A-\u202E\u2066-\u2069\u2028\u2029\p{Co}\p{Cn}]/u;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const stored = text.normalize('NFC').trim();
        const accepted = single.safeParse(text).success;
        const expected = stored.length >= 1 && !refused.test(stored);
        expect(accepted).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
