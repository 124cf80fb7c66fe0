/**
 * The one layout of every email the product sends (invoice, credit note, reminder): a greeting, blocks of
 * paragraphs and label/value facts, a closing; written twice from the same blocks, as plain text and as
 * HTML (every text escaped here, once), so the two bodies always say the same thing.
 */
import { INK, MUTED } from '../palette.js';
import type { Catalogue } from '../texts/catalogue.js';
import { labelled } from '../texts/format.js';

/** A label and its value ("Montant à régler", "1 234,56 €"). */
export type Fact = readonly [label: string, value: string];

type EmailBlock =
  | { kind: 'paragraph'; text: string; strong?: boolean }
  | {
      kind: 'facts';
      facts: readonly Fact[];
      /** The first fact in bold: the one the email is about (the amount due). */
      strongFirst?: boolean;
      /** A bold line above the facts, which then hug it ("Règlement par virement bancaire"). */
      title?: string;
      /** A line under the facts ("Merci d'indiquer la référence 2026-000123."). */
      note?: string | undefined;
    };

/** What an email says, in its document's language. */
export interface EmailContent {
  subject: string;
  blocks: readonly EmailBlock[];
  /** The last lines: sign-off and the issuer's name. */
  closing: readonly string[];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The plain-text and HTML bodies of an email, from the same content. */
export function emailBodies(content: EmailContent, texts: Catalogue): { text: string; html: string } {
  return { text: textBody(content, texts), html: htmlBody(content, texts) };
}

function textBody(content: EmailContent, texts: Catalogue): string {
  const lines = (block: EmailBlock): string[] =>
    block.kind === 'paragraph'
      ? [block.text]
      : [
          ...(block.title ? [block.title] : []),
          ...block.facts.map(([label, value]) => labelled(label, value, texts.language)),
          ...(block.note ? [block.note] : []),
        ];
  return [
    texts.email.greeting,
    ...content.blocks.flatMap((block) => ['', ...lines(block)]),
    '',
    ...content.closing,
    '',
  ].join('\n');
}

function htmlBody(content: EmailContent, texts: Catalogue): string {
  const row = ([label, value]: Fact, strong: boolean) =>
    `<tr><td style="padding:4px 16px 4px 0;color:${MUTED}">${escapeHtml(label)}</td>` +
    `<td style="padding:4px 0;${strong ? 'font-weight:bold;' : ''}">${escapeHtml(value)}</td></tr>`;
  const html = (block: EmailBlock): string[] => {
    if (block.kind === 'paragraph') {
      const text = escapeHtml(block.text);
      return [block.strong ? `<p><strong>${text}</strong></p>` : `<p>${text}</p>`];
    }
    const table = block.facts.length
      ? [
          `<table role="presentation" style="border-collapse:collapse;margin:${block.title ? '0 0 8px' : '12px 0'}">`,
          ...block.facts.map((fact, index) => row(fact, index === 0 && block.strongFirst === true)),
          '</table>',
        ]
      : [];
    return [
      ...(block.title
        ? [`<p style="margin-bottom:4px"><strong>${escapeHtml(block.title)}</strong></p>`]
        : []),
      ...table,
      ...(block.note ? [`<p style="margin-top:0">${escapeHtml(block.note)}</p>`] : []),
    ];
  };
  return [
    '<!DOCTYPE html>',
    `<html lang="${texts.bcp47}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    `<body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:${INK};line-height:1.5">`,
    `<p>${escapeHtml(texts.email.greeting)}</p>`,
    ...content.blocks.flatMap(html),
    `<p>${content.closing.map(escapeHtml).join('<br>')}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
