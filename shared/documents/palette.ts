/**
 * The house colours every document shares, the PDFs (pdf/kit.ts) and the emails' HTML (email/layout.ts):
 * kept apart from both so an email never loads the PDF kit (and pdfkit with it).
 */

/** Body text. */
export const INK = '#1b1f24';
/** Labels and secondary text. */
export const MUTED = '#5b636e';
/** Titles and the band of the amount that matters. */
export const ACCENT = '#1f3a5f';
/** Table rules. */
export const RULE = '#d5d9df';
/** The band under column titles. */
export const BAND = '#eef1f5';
/** The ground of panels and order headings. */
export const PANEL = '#f6f7f9';
export const WHITE = '#ffffff';
/** A warning printed on the page (a draft's notice). */
export const ALERT = '#a0281e';
