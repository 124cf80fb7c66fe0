/**
 * What the fake approved platform checks when no real validator is wired in: that a document is
 * well-formed XML (no DTD), that its root element is the one its syntax declares, and, for Factur-X, that
 * the PDF embeds a CII invoice. The EN 16931 and French rules are the injected validator's business
 * (package M's harness, wired by the lead); this is the fallback, and what reads the facts the fake shows.
 */
import { inflateSync } from 'node:zlib';
import { create } from 'xmlbuilder2';

/** Checks one document of a syntax; `failures` name the rules broken, one line each. */
export type FlowValidator = (
  document: Uint8Array,
  syntax: string,
) => Promise<{ ok: boolean; failures: string[] }>;

const ROOTS: Record<string, readonly { namespace: string; name: string }[]> = {
  CII: [
    {
      namespace: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
      name: 'CrossIndustryInvoice',
    },
  ],
  UBL: [
    { namespace: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', name: 'Invoice' },
    { namespace: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2', name: 'CreditNote' },
  ],
};

/** The default validator: well-formed, the right root, and the CII inside a Factur-X PDF. */
export const wellFormedValidator: FlowValidator = async (document, syntax) => {
  const failures = documentProblems(document, syntax);
  return { ok: failures.length === 0, failures };
};

function documentProblems(document: Uint8Array, syntax: string): string[] {
  if (syntax === 'Factur-X') {
    if (Buffer.from(document.subarray(0, 5)).toString('latin1') !== '%PDF-') {
      return ['FX-PDF: a Factur-X file is a PDF'];
    }
    const xml = embeddedCii(document);
    if (!xml) return ['FX-XML: the PDF embeds no CII invoice (factur-x.xml)'];
    return documentProblems(Buffer.from(xml, 'utf8'), 'CII');
  }
  const expected = ROOTS[syntax];
  if (!expected) return [`SYNTAX: the fake platform does not check ${syntax} documents`];
  const checked = checkXml(Buffer.from(document).toString('utf8'));
  if ('problem' in checked) return [`XML: not well-formed: ${checked.problem}`];
  const { root } = checked;
  if (
    !expected.some((candidate) => candidate.name === root.localName && candidate.namespace === root.namespace)
  ) {
    return [
      `SYNTAX: a ${syntax} document's root is ${expected.map((candidate) => candidate.name).join(' or ')} ` +
        `in ${expected[0]?.namespace}, not ${root.localName} in ${root.namespace ?? 'no namespace'}`,
    ];
  }
  return [];
}

/**
 * The CII XML a Factur-X PDF carries: found as is or in a Flate-compressed stream (how pdfkit writes
 * embedded files). Undefined when there is none.
 */
export function embeddedCii(pdf: Uint8Array): string | undefined {
  const bytes = Buffer.from(pdf);
  const root = /<(?:[\w.-]+:)?CrossIndustryInvoice[\s>]/;
  let from = 0;
  for (;;) {
    const start = bytes.indexOf('stream', from, 'latin1');
    if (start < 0) return undefined;
    let dataStart = start + 'stream'.length;
    if (bytes[dataStart] === 0x0d) dataStart += 1;
    if (bytes[dataStart] === 0x0a) dataStart += 1;
    const end = bytes.indexOf('endstream', dataStart, 'latin1');
    if (end < 0) return undefined;
    from = end + 'endstream'.length;
    // `endstream` itself contains `stream`: skip the keyword when we landed on it.
    if (bytes.subarray(start - 3, start).toString('latin1') === 'end') continue;
    const data = bytes.subarray(dataStart, end);
    for (const candidate of [data, inflated(data)]) {
      const text = candidate?.toString('utf8');
      const found = text ? root.exec(text) : null;
      if (!text || !found) continue;
      const declaration = text.lastIndexOf('<?xml', found.index);
      return text.slice(declaration >= 0 ? declaration : found.index).trim();
    }
  }
}

function inflated(data: Buffer): Buffer | undefined {
  try {
    return inflateSync(data);
  } catch {
    return undefined;
  }
}

/** The root element of a well-formed document, or why it is not one. */
export function checkXml(
  text: string,
): { root: { localName: string; prefix?: string; namespace?: string } } | { problem: string } {
  const stack: string[] = [];
  let root: { localName: string; prefix?: string; namespace?: string } | undefined;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (problem: string) => ({ problem: `${problem} (at character ${i})` });
  const tag =
    /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  const attribute = /([^\s=/>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;
  while (i < text.length) {
    if (text[i] !== '<') {
      const next = text.indexOf('<', i);
      const content = text.slice(i, next < 0 ? text.length : next);
      if (stack.length === 0 && content.trim() !== '') return fail('text outside the root element');
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(content))
        return fail('an undefined entity');
      i = next < 0 ? text.length : next;
      continue;
    }
    const skip = (open: string, close: string, inside: boolean) => {
      if (!text.startsWith(open, i)) return undefined;
      if (inside && stack.length === 0) return -1;
      const end = text.indexOf(close, i + open.length);
      return end < 0 ? -1 : end + close.length;
    };
    const special = skip('<?', '?>', false) ?? skip('<!--', '-->', false) ?? skip('<![CDATA[', ']]>', true);
    if (special !== undefined) {
      if (special < 0) return fail('an unterminated declaration, comment or CDATA section');
      i = special;
      continue;
    }
    if (text.startsWith('<!', i)) return fail('a DOCTYPE or other declaration (not accepted)');
    if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      const name = text.slice(i + 2, end < 0 ? undefined : end).trim();
      const open = stack.pop();
      if (end < 0 || name !== open) return fail(`</${name}> closes <${open ?? 'nothing'}>`);
      i = end + 1;
      continue;
    }
    tag.lastIndex = i;
    const match = tag.exec(text);
    if (!match) return fail('a malformed tag');
    const [whole, name = '', attributes = '', selfClosing] = match;
    if (stack.length === 0) {
      if (root) return fail('a second root element');
      const [prefix, localName] = name.includes(':') ? name.split(':', 2) : [undefined, name];
      const declarations = new Map<string, string>();
      for (const [, key = '', double, single] of attributes.matchAll(attribute)) {
        declarations.set(key, double ?? single ?? '');
      }
      const namespace = declarations.get(prefix ? `xmlns:${prefix}` : 'xmlns');
      root = {
        localName: localName ?? name,
        ...(prefix ? { prefix } : {}),
        ...(namespace ? { namespace } : {}),
      };
    }
    if (!selfClosing) stack.push(name);
    i += whole.length;
  }
  if (stack.length > 0) return fail(`<${stack.at(-1)}> is never closed`);
  if (!root) return { problem: 'no root element' };
  return { root };
}

/** What the fake shows of an invoice and puts in the statuses it sends about it. */
export interface InvoiceFacts {
  number?: string;
  issueDate?: string;
  typeCode?: string;
  sellerSiren?: string;
  buyerSiren?: string;
  /** The amount due, as written (major units), and its currency. */
  total?: string;
  currency?: string;
}

/** Reads the facts of a CII, UBL or Factur-X document; what it cannot find stays undefined. */
export function invoiceFacts(document: Uint8Array, syntax: string): InvoiceFacts {
  const xml = syntax === 'Factur-X' ? embeddedCii(document) : Buffer.from(document).toString('utf8');
  if (!xml || 'problem' in checkXml(xml)) return {};
  let root: XmlNode;
  try {
    root = create(xml).root().node as unknown as XmlNode;
  } catch {
    return {};
  }
  const at = (...path: string[]) => textAt(root, path);
  if (root.localName === 'CrossIndustryInvoice') {
    const agreement = ['SupplyChainTradeTransaction', 'ApplicableHeaderTradeAgreement'];
    const settlement = ['SupplyChainTradeTransaction', 'ApplicableHeaderTradeSettlement'];
    const date = at('ExchangedDocument', 'IssueDateTime', 'DateTimeString');
    return compact({
      number: at('ExchangedDocument', 'ID'),
      typeCode: at('ExchangedDocument', 'TypeCode'),
      issueDate:
        date && /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : undefined,
      sellerSiren: at(...agreement, 'SellerTradeParty', 'SpecifiedLegalOrganization', 'ID'),
      buyerSiren: at(...agreement, 'BuyerTradeParty', 'SpecifiedLegalOrganization', 'ID'),
      total: at(...settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation', 'DuePayableAmount'),
      currency: at(...settlement, 'InvoiceCurrencyCode'),
    });
  }
  const party = (role: string) => at(role, 'Party', 'PartyLegalEntity', 'CompanyID');
  return compact({
    number: at('ID'),
    typeCode: at('InvoiceTypeCode') ?? at('CreditNoteTypeCode'),
    issueDate: at('IssueDate'),
    sellerSiren: party('AccountingSupplierParty'),
    buyerSiren: party('AccountingCustomerParty'),
    total: at('LegalMonetaryTotal', 'PayableAmount'),
    currency: at('DocumentCurrencyCode'),
  });
}

interface XmlNode {
  readonly localName: string | null;
  readonly textContent: string | null;
  readonly childNodes: Iterable<unknown>;
}

function textAt(node: XmlNode, path: readonly string[]): string | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) {
    current = current
      ? [...current.childNodes].find((child): child is XmlNode => (child as XmlNode).localName === name)
      : undefined;
  }
  return current?.textContent?.trim() || undefined;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
