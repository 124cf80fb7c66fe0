/**
 * The credit note (avoir) as buyers receive it: a PDF/A-3b document in the invoice's language, and the
 * email that carries it. Same fonts, page content writer (pdf-canvas.ts) and formatting as the invoice;
 * the figures are the credit note's own (lines, VAT per rate, totals), never recomputed. It names the
 * invoice it corrects and says the amount comes off that invoice's balance (the credit is applied to it:
 * see docs/ARCHITECTURE.md, Receivables).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import PDFDocument from 'pdfkit';
import type { CreditNote, CreditNoteLine } from '../../contracts/schemas/credit-note.js';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import {
  escapeHtml,
  InvoiceEmailError,
  type InvoiceEmailOptions,
  validateEmailAddress,
} from '../email/invoice.js';
import { catalogueFor } from '../texts/catalogue.js';
import {
  formatAddress,
  formatLocalDate,
  formatPercent,
  formatQuantity,
  labelled,
  moneyFormatter,
  singleLine,
} from '../texts/format.js';
import { legalFormText, rcsText, sirenText } from '../texts/mentions.js';
import { PdfCanvas } from './canvas.js';
import { loadInvoiceFonts } from './fonts.js';

/** The invoice fields a credit note's documents print: who issues, who is credited, in which language. */
export type CreditedInvoice = Pick<Invoice, 'issuer' | 'buyer' | 'language'>;

const PAGE_WIDTH = 595.28;
const X0 = 42;
const X1 = PAGE_WIDTH - 42;
const BOTTOM = 780;
const INK = '#1b1f24';
const MUTED = '#5b636e';
const ACCENT = '#1f3a5f';
const RULE = '#d5d9df';
const BAND = '#eef1f5';
/**
 * Column left starts and widths: sku, description, qty, unit price, VAT, net. Orders are not a column: each
 * order's lines come under its heading, "Commande SHOP-100234 du 04/11/2026", as on the invoice.
 */
const COLUMNS = [
  { x: X0, width: 110, right: false },
  { x: X0 + 110, width: 215, right: false },
  { x: X0 + 325, width: 45, right: true },
  { x: X0 + 370, width: 55, right: true },
  { x: X0 + 425, width: 30, right: true },
  { x: X0 + 455, width: X1 - X0 - 455, right: true },
] as const;

/** Renders the credit note's PDF (PDF/A-3b, DejaVu embedded), deterministic for the same inputs. */
export async function renderCreditNotePdf(
  creditNote: CreditNote,
  invoice: CreditedInvoice,
  options: { fontDir?: string } = {},
): Promise<Buffer> {
  const fonts = loadInvoiceFonts(options.fontDir);
  const language = invoice.language;
  const texts = catalogueFor(language);
  const credit = texts.creditNote;
  const date = new Date(`${creditNote.issueDate}T00:00:00.000Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 40, bottom: 10, left: X0, right: PAGE_WIDTH - X1 },
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: texts.bcp47,
    displayTitle: true,
    fontLayoutCache: false,
    font: fonts.regular as unknown as string,
    info: {
      Title: `${credit.documentName} ${creditNote.number}`,
      Author: invoice.issuer.legalName.replace(/&/g, language === 'fr' ? 'et' : 'and').replace(/[<>]/g, ''),
      Creator: 'deferred-billing',
      Producer: 'PDFKit',
      CreationDate: date,
      ModDate: date,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const names = { regular: fonts.regular.postscriptName, bold: fonts.bold.postscriptName };
  doc.registerFont(names.regular, fonts.regular as unknown as string);
  doc.registerFont(names.bold, fonts.bold as unknown as string);
  const canvas = new PdfCanvas(doc, { [names.regular]: fonts.regular, [names.bold]: fonts.bold });
  const money = moneyFormatter(creditNote.currency, language);
  const day = (localDate: string) => formatLocalDate(localDate, language);

  let size = 8;
  const font = (weight: 'regular' | 'bold', points: number) => {
    canvas.font(names[weight]);
    size = points;
  };
  const put = (text: string, x: number, y: number, colour = INK) => canvas.text(text, x, y, size, colour);
  const putRight = (text: string, right: number, y: number, colour = INK) =>
    put(text, right - canvas.width(text, size), y, colour);
  /** Greedy wrap at spaces (a word wider than the line is cut where it overflows). */
  const wrap = (text: string, width: number): string[] => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (canvas.width(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      for (const char of word) {
        if (line && canvas.width(line + char, size) > width) {
          lines.push(line);
          line = '';
        }
        line += char;
      }
    }
    if (line) lines.push(line);
    return lines.length > 0 ? lines : [''];
  };

  // Header: issuer left, title, number, dates and the corrected invoice right.
  const issuer = invoice.issuer;
  let y = 40;
  font('bold', 14);
  for (const line of wrap(issuer.legalName, 280)) {
    put(line, X0, y, ACCENT);
    y += 17;
  }
  font('regular', 8);
  for (const text of [
    legalFormText(issuer, texts),
    ...formatAddress(issuer.address, language),
    `${sirenText(issuer.siren, texts)}${issuer.rcs ? ` · ${rcsText(issuer.rcs, texts)}` : ''}`,
    labelled(texts.document.vatId, issuer.vatId, language),
  ]) {
    for (const line of wrap(text, 280)) {
      put(line, X0, y);
      y += 10.5;
    }
  }
  font('bold', 22);
  putRight(credit.title, X1, 36, ACCENT);
  font('bold', 12);
  putRight(`${texts.document.numberSign} ${creditNote.number}`, X1, 66);
  font('regular', 8);
  putRight(labelled(texts.document.issueDate, day(creditNote.issueDate), language), X1, 86, MUTED);
  font('bold', 8);
  putRight(credit.corrects(creditNote.invoiceNumber, day(creditNote.invoiceIssueDate)), X1, 98);
  y = Math.max(y, 112) + 14;

  // Customer.
  const buyer = invoice.buyer;
  font('bold', 7);
  put(credit.customer, X0, y, MUTED);
  y += 12;
  font('bold', 10);
  put(buyer.legalName, X0, y);
  y += 13;
  font('regular', 8);
  for (const line of [
    ...(buyer.legalForm ? [buyer.legalForm] : []),
    ...formatAddress(buyer.billingAddress, language),
    ...(buyer.siren ? [sirenText(buyer.siren, texts)] : []),
    ...(buyer.vatId ? [labelled(texts.document.vatId, buyer.vatId, language)] : []),
  ]) {
    put(line, X0, y);
    y += 10.5;
  }
  y += 8;
  for (const line of wrap(labelled(credit.reason, creditNote.reason, language), X1 - X0)) {
    put(line, X0, y);
    y += 10.5;
  }
  y += 10;

  // Lines, with the column titles repeated on each page.
  const tableHeader = () => {
    canvas.rect(X0, y, X1 - X0, 16, BAND);
    font('bold', 7);
    Object.values(credit.columns).forEach((title, index) => {
      const column = COLUMNS[index] as (typeof COLUMNS)[number];
      if (column.right) putRight(title, column.x + column.width - 3, y + 4.5);
      else put(title, column.x + 3, y + 4.5);
    });
    y += 18;
  };
  const newPage = () => {
    doc.addPage();
    y = 40;
    font('bold', 8);
    put(`${credit.documentName} ${texts.document.numberSign} ${creditNote.number}`, X0, y, ACCENT);
    y += 20;
  };
  /** The order's heading lines, "(suite)" added when its lines go on over a page break. */
  const orderHeading = (line: CreditNoteLine, continued: boolean): string[] => {
    font('bold', 7.5);
    const title = line.orderReference
      ? line.orderDate
        ? texts.document.order(singleLine(line.orderReference), day(line.orderDate))
        : credit.orderById(singleLine(line.orderReference))
      : credit.orderById(line.orderId);
    return wrap(continued ? `${title} ${texts.document.orderContinued}` : title, X1 - X0 - 6);
  };
  const drawHeading = (lines: string[]) => {
    font('bold', 7.5);
    lines.forEach((text, row) => {
      put(text, X0 + 3, y + 3 + row * 10);
    });
    y += lines.length * 10 + 5;
  };
  // Each order's lines under its heading, orders in the order they were first credited.
  const byOrder = new Map<string, CreditNoteLine[]>();
  for (const line of creditNote.lines) {
    byOrder.set(line.orderId, [...(byOrder.get(line.orderId) ?? []), line]);
  }
  tableHeader();
  for (const orderLines of byOrder.values()) {
    orderLines.forEach((line, index) => {
      font('regular', 7);
      const cells = [
        wrap(line.sku, COLUMNS[0].width - 6),
        wrap(line.description, COLUMNS[1].width - 6),
        [formatQuantity(line.quantity, language)],
        [money(line.unitPriceMinor)],
        [formatPercent(line.vatRate, language)],
        [money(line.netMinor)],
      ];
      const height = Math.max(...cells.map((cell) => cell.length)) * 9 + 5;
      const heading = orderHeading(line, index > 0);
      const headingHeight = heading.length * 10 + 5;
      if (index === 0 ? y + headingHeight + height > BOTTOM : y + height > BOTTOM) {
        newPage();
        tableHeader();
        drawHeading(heading);
      } else if (index === 0) {
        drawHeading(heading);
      }
      font('regular', 7);
      cells.forEach((cell, column) => {
        const at = COLUMNS[column] as (typeof COLUMNS)[number];
        cell.forEach((text, row) => {
          if (at.right) putRight(text, at.x + at.width - 3, y + 2.5 + row * 9);
          else put(text, at.x + 3, y + 2.5 + row * 9);
        });
      });
      y += height;
      canvas.rule(X0, X1, y, 0.3, RULE);
    });
  }

  // VAT per rate, totals, and where the credit goes.
  const summaryHeight = 30 + 12 * (creditNote.vatBreakdown.length + 4) + 40;
  if (y + summaryHeight > BOTTOM) newPage();
  y += 14;
  font('bold', 9);
  put(texts.document.vatBreakdown, X0, y, ACCENT);
  y += 15;
  font('bold', 7);
  putRight(texts.document.vatColumns.rate, X0 + 60, y);
  putRight(texts.document.vatColumns.base, X0 + 160, y);
  putRight(texts.document.vatColumns.vat, X0 + 250, y);
  font('regular', 7);
  const top = y;
  for (const entry of creditNote.vatBreakdown) {
    y += 12;
    putRight(formatPercent(entry.vatRate, language), X0 + 60, y);
    putRight(money(entry.baseMinor), X0 + 160, y);
    putRight(money(entry.vatMinor), X0 + 250, y);
  }
  let totalsY = top;
  font('regular', 8);
  for (const [label, amount] of [
    [texts.document.totalNet, creditNote.totals.netMinor],
    [texts.document.totalVat, creditNote.totals.vatMinor],
  ] as const) {
    put(label, X1 - 220, totalsY, MUTED);
    putRight(money(amount), X1 - 4, totalsY);
    totalsY += 13;
  }
  canvas.rect(X1 - 224, totalsY - 2, 224, 20, ACCENT);
  font('bold', 10);
  put(credit.totalCredit, X1 - 218, totalsY + 3, '#ffffff');
  putRight(money(creditNote.totals.grossMinor), X1 - 6, totalsY + 3, '#ffffff');
  y = Math.max(y, totalsY + 20) + 22;
  font('regular', 8);
  for (const line of wrap(
    credit.applied(money(creditNote.appliedMinor), creditNote.invoiceNumber),
    X1 - X0,
  )) {
    put(line, X0, y);
    y += 11;
  }

  // Footer on the last page: the issuer's legal identity, as the invoice's footer gives it.
  font('regular', 6.5);
  canvas.rule(X0, X1, 800, 0.4, RULE);
  const identity = [
    issuer.legalName,
    legalFormText(issuer, texts),
    sirenText(issuer.siren, texts),
    ...(issuer.rcs ? [rcsText(issuer.rcs, texts)] : []),
    labelled(texts.document.vatId, issuer.vatId, language),
  ].join(' · ');
  wrap(identity, X1 - X0)
    .slice(0, 2)
    .forEach((line, row) => {
      put(line, X0, 805 + row * 8, MUTED);
    });
  doc.end();
  return finished;
}

/**
 * The credit note's email, raw MIME for SES SendRawEmail: to the buyer's billing emails, the PDF attached
 * as avoir-AV-2026-000001.pdf (credit-note-… in English), plain text and HTML bodies.
 */
export async function buildCreditNoteEmail(
  creditNote: CreditNote,
  invoice: CreditedInvoice,
  pdf: Buffer,
  options: Pick<InvoiceEmailOptions, 'from' | 'date'>,
): Promise<Buffer> {
  const recipients = invoice.buyer.billingEmails;
  const invalid = recipients.filter((address) => !validateEmailAddress(address));
  if (recipients.length === 0 || invalid.length > 0) {
    throw new InvoiceEmailError(
      `credit note ${creditNote.number}: no valid billing email (${invalid.join(', ') || 'none'})`,
    );
  }
  const language = invoice.language;
  const texts = catalogueFor(language);
  const credit = texts.creditNote;
  const amount = moneyFormatter(creditNote.currency, language)(creditNote.totals.grossMinor);
  const subject = credit.email.subject(
    creditNote.number,
    invoice.issuer.legalName,
    amount,
    creditNote.invoiceNumber,
  );
  const intro = credit.email.intro(creditNote.number, invoice.issuer.legalName, creditNote.invoiceNumber);
  const applied = credit.applied(amount, creditNote.invoiceNumber);
  const composer = new MailComposer({
    from: options.from,
    to: recipients,
    subject,
    date: options.date ?? new Date(),
    text: [
      texts.email.greeting,
      '',
      intro,
      applied,
      '',
      texts.email.signOff,
      invoice.issuer.legalName,
      '',
    ].join('\n'),
    html: [
      '<!DOCTYPE html>',
      `<html lang="${texts.bcp47}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1b1f24;line-height:1.5">',
      `<p>${escapeHtml(texts.email.greeting)}</p><p>${escapeHtml(intro)}</p><p><strong>${escapeHtml(applied)}</strong></p>`,
      `<p>${escapeHtml(texts.email.signOff)}<br>${escapeHtml(invoice.issuer.legalName)}</p>`,
      '</body></html>',
      '',
    ].join('\n'),
    attachments: [
      {
        filename: `${credit.fileStem}-${creditNote.number}.pdf`,
        content: pdf,
        contentType: 'application/pdf',
      },
    ],
    headers: { 'X-Credit-Note-Number': creditNote.number, 'Content-Language': texts.bcp47 },
    xMailer: false,
  });
  return composer.compile().build();
}
