import { XMLParser } from 'fast-xml-parser';
import {
  isLifecycleStatusCode,
  type LifecycleAmount,
  type LifecycleReason,
  type LifecycleStatusCode,
  lifecycleLabel,
} from '../../core/domain/einvoice-lifecycle.js';
import { currencyMinorDigits, toMajorDecimalString } from '../../core/domain/money.js';

/*
 * Lifecycle messages ("CDV", flow 6 of the reform) travel as UN/CEFACT Cross Domain Acknowledgement and
 * Response documents (CDAR, D22B), submitted and delivered through the Flow Service with flowSyntax CDAR.
 * Structure, element order and codes follow the administration's CDV format (annex 2 of the "spécifications
 * externes"), as public implementations use it (docs/APPROVED-PLATFORM.md). Only what this product sends
 * and reads is covered: one status about one document per acknowledgement, reasons, amounts.
 */

/** An element as the reader walks it: its namespace resolved from the document's declarations. */
interface Element {
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly textContent: string | null;
  readonly childNodes: readonly Element[];
  getAttribute(name: string): string | null;
}

const NS = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
} as const;

/** The message context of a status exchanged between the parties (not the copy a platform sends the PPF). */
const GUIDELINE_INVOICE = 'urn.cpro.gouv.fr:1p0:CDV:invoice';
const BUSINESS_PROCESS = 'REGULATED';
/** ICD 6523 scheme of a SIREN. */
const SIREN_SCHEME = '0002';
/** Statuses of the transmission phase (set by platforms) ride acknowledgement type 305, the others 23. */
const TRANSMISSION_PHASE = new Set(['200', '201', '202', '203', '213', '221']);
/** UNTDID 1373 status of the referenced document, where the official examples attest one. */
const DOCUMENT_STATUS_CODES: Partial<Record<string, string>> = {
  '200': '10',
  '202': '43',
  '203': '48',
  '204': '45',
  '205': '1',
  '207': '46',
  '211': '47',
  '212': '47',
};
/** Amount characteristics: MEN received (212), MPA paid (211), RAP remaining. */
const AMOUNT_TYPES = new Set(['MEN', 'MPA']);

/** A party of a message: a company by its SIREN, or a platform by its role alone. */
export interface CdarParty {
  siren?: string;
  /** UNCL 3035: SE seller, BY buyer, WK platform. */
  role: 'SE' | 'BY' | 'WK';
}

/** One status about one document, as a lifecycle message carries it. */
export interface CdarStatus {
  status: LifecycleStatusCode;
  document: { number: string; issueDate: string; typeCode: string; sellerSiren: string };
  /** When the status was set: an ISO instant, or a date (YYYY-MM-DD) for statuses dated by day. */
  at: string;
  reasons?: readonly LifecycleReason[];
  amounts?: readonly LifecycleAmount[];
}

/** A lifecycle message: who sends it to whom, about what. */
export interface CdarMessage {
  messageId: string;
  /** When the message was written (ISO instant). */
  issuedAt: string;
  issuer: CdarParty;
  recipient: CdarParty;
  statuses: readonly CdarStatus[];
}

/** Writes a lifecycle message (UTF-8 XML). */
export function writeCdar(message: CdarMessage): string {
  const root = new Node('rsm:CrossDomainAcknowledgementAndResponse', {
    'xmlns:rsm': NS.rsm,
    'xmlns:ram': NS.ram,
    'xmlns:udt': NS.udt,
    'xmlns:qdt': NS.qdt,
  });
  const context = ram(root, 'ExchangedDocumentContext', undefined, 'rsm');
  ram(ram(context, 'BusinessProcessSpecifiedDocumentContextParameter'), 'ID', BUSINESS_PROCESS);
  ram(ram(context, 'GuidelineSpecifiedDocumentContextParameter'), 'ID', GUIDELINE_INVOICE);
  const exchanged = ram(root, 'ExchangedDocument', undefined, 'rsm');
  ram(exchanged, 'ID', message.messageId);
  ram(exchanged, 'Name', 'Cycle de vie');
  dateTime(exchanged, 'IssueDateTime', message.issuedAt);
  // The sending platform identifies itself on the way; a client names only the role.
  ram(ram(exchanged, 'SenderTradeParty'), 'RoleCode', 'WK');
  party(exchanged, 'IssuerTradeParty', message.issuer);
  party(exchanged, 'RecipientTradeParty', message.recipient);
  for (const status of message.statuses) {
    const acknowledgement = ram(root, 'AcknowledgementDocument', undefined, 'rsm');
    ram(ram(acknowledgement, 'MultipleReferencesIndicator'), 'Indicator', 'false', 'udt');
    ram(acknowledgement, 'TypeCode', TRANSMISSION_PHASE.has(status.status) ? '305' : '23');
    dateTime(acknowledgement, 'IssueDateTime', status.at);
    const reference = ram(acknowledgement, 'ReferenceReferencedDocument');
    ram(reference, 'IssuerAssignedID', status.document.number);
    const documentStatus = DOCUMENT_STATUS_CODES[status.status];
    if (documentStatus) ram(reference, 'StatusCode', documentStatus);
    ram(reference, 'TypeCode', status.document.typeCode);
    ram(reference, 'FormattedIssueDateTime').add(
      new Node('qdt:DateTimeString', { format: '102' }, status.document.issueDate.replaceAll('-', '')),
    );
    ram(reference, 'ProcessConditionCode', status.status);
    ram(reference, 'ProcessCondition', lifecycleLabel(status.status, 'fr'));
    ram(ram(reference, 'IssuerTradeParty'), 'GlobalID', status.document.sellerSiren, 'ram', {
      schemeID: SIREN_SCHEME,
    });
    const reasons = status.reasons?.length ? status.reasons : [undefined];
    reasons.forEach((reason, index) => {
      const detail = ram(reference, 'SpecifiedDocumentStatus');
      if (reason?.code) ram(detail, 'ReasonCode', reason.code);
      if (reason?.text) ram(detail, 'Reason', reason.text);
      ram(detail, 'SequenceNumeric', String(index + 1));
      if (index > 0) return;
      for (const amount of status.amounts ?? []) {
        const characteristic = ram(detail, 'SpecifiedDocumentCharacteristic');
        ram(characteristic, 'TypeCode', status.status === '211' ? 'MPA' : 'MEN');
        if (amount.vatRate !== undefined) ram(characteristic, 'ValuePercent', amount.vatRate.toFixed(2));
        ram(
          characteristic,
          'ValueAmount',
          toMajorDecimalString(amount.amountMinor, currencyMinorDigits(amount.currency)),
          'ram',
          { currencyID: amount.currency },
        );
      }
    });
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.toXml('')}\n`;
}

/** Why a document could not be read as a lifecycle message. */
export class CdarReadError extends Error {
  override name = 'CdarReadError';
}

/**
 * Reads the statuses a lifecycle message carries, one per referenced document. A status whose code is not
 * in the official list, or that names no document, is left out; a document that is not a CDAR throws.
 */
export function readCdar(xml: string | Uint8Array): CdarStatus[] {
  const root = parseXml(typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8'));
  if (root.namespaceURI !== NS.rsm || root.localName !== 'CrossDomainAcknowledgementAndResponse') {
    throw new CdarReadError(`not a CDAR document (root ${root.localName} in ${root.namespaceURI})`);
  }
  const statuses: CdarStatus[] = [];
  for (const acknowledgement of children(root, 'AcknowledgementDocument', NS.rsm)) {
    const acknowledgedAt = readDateTime(child(acknowledgement, 'IssueDateTime'));
    for (const reference of children(acknowledgement, 'ReferenceReferencedDocument')) {
      const code = textOf(child(reference, 'ProcessConditionCode'));
      const number = textOf(child(reference, 'IssuerAssignedID'));
      if (!code || !isLifecycleStatusCode(code) || !number) continue;
      const details = children(reference, 'SpecifiedDocumentStatus');
      const reasons = details.flatMap((detail): LifecycleReason[] => {
        const reasonCode = textOf(child(detail, 'ReasonCode'));
        const words =
          textOf(child(detail, 'Reason')) ?? textOf(child(child(detail, 'IncludedNote'), 'Content'));
        if (!reasonCode && !words) return [];
        return [{ ...(reasonCode ? { code: reasonCode } : {}), text: words ?? reasonCode ?? '' }];
      });
      const amounts = details.flatMap((detail) =>
        children(detail, 'SpecifiedDocumentCharacteristic').flatMap(readAmount),
      );
      const statusAt = details
        .map((detail) => readDateTime(child(detail, 'ReferenceDateTime')))
        .find(Boolean);
      const sellerGlobalId = children(child(reference, 'IssuerTradeParty'), 'GlobalID').find(
        (id) => id.getAttribute('schemeID') === SIREN_SCHEME,
      );
      statuses.push({
        status: code,
        document: {
          number,
          issueDate: readDateTime(child(reference, 'FormattedIssueDateTime')) ?? '',
          typeCode: textOf(child(reference, 'TypeCode')) ?? '',
          sellerSiren: textOf(sellerGlobalId) ?? '',
        },
        at: statusAt ?? acknowledgedAt ?? '',
        ...(reasons.length > 0 ? { reasons } : {}),
        ...(amounts.length > 0 ? { amounts } : {}),
      });
    }
  }
  return statuses;
}

function readAmount(characteristic: Element): LifecycleAmount[] {
  const type = textOf(child(characteristic, 'TypeCode'));
  const valueElement = child(characteristic, 'ValueAmount');
  const value = textOf(valueElement);
  const currency = valueElement?.getAttribute('currencyID') ?? 'EUR';
  if (!type || !AMOUNT_TYPES.has(type) || !value) return [];
  let digits: number;
  try {
    digits = currencyMinorDigits(currency);
  } catch {
    return [];
  }
  const amountMinor = minorUnitsOf(value, digits);
  if (amountMinor === undefined) return [];
  const rate = textOf(child(characteristic, 'ValuePercent'));
  const vatRate = rate !== undefined && /^\d{1,3}(\.\d+)?$/.test(rate) ? Number(rate) : undefined;
  return [{ amountMinor, currency, ...(vatRate !== undefined ? { vatRate } : {}) }];
}

/** "1234.5" in a currency of `digits` minor digits as exact minor units; undefined when it is not one. */
function minorUnitsOf(decimal: string, digits: number): number | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > digits) return undefined;
  const minor = Number(`${sign}${whole}${fraction.padEnd(digits, '0').slice(0, digits)}`);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/**
 * A date-time element's value: format 102 (YYYYMMDD) as a date, 204 (YYYYMMDDHHMMSS, UTC) as an instant.
 */
function readDateTime(container: Element | undefined): string | undefined {
  const value = container
    ? container.childNodes.find((node) => node.localName === 'DateTimeString')
    : undefined;
  const digits = textOf(value);
  if (!digits) return undefined;
  if (/^\d{8}$/.test(digits)) return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(digits);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const instant = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
}

function children(parent: Element | undefined, localName: string, namespace: string = NS.ram): Element[] {
  if (!parent) return [];
  return parent.childNodes.filter((node) => node.localName === localName && node.namespaceURI === namespace);
}

const child = (parent: Element | undefined, localName: string, namespace: string = NS.ram) =>
  children(parent, localName, namespace)[0];

const textOf = (element: Element | undefined) => element?.textContent?.trim() || undefined;

/** Appends `prefix:name` (ram by default) with an optional text and attributes. */
function ram(
  parent: Node,
  name: string,
  text?: string,
  prefix = 'ram',
  attributes: Readonly<Record<string, string>> = {},
): Node {
  return parent.add(new Node(`${prefix}:${name}`, attributes, text));
}

/** A date-time container: a date (YYYY-MM-DD) as format 102, an instant as format 204 in UTC. */
function dateTime(parent: Node, name: string, value: string): void {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const digits = date
    ? value.replaceAll('-', '')
    : new Date(value).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  ram(parent, name).add(new Node('udt:DateTimeString', { format: date ? '102' : '204' }, digits));
}

function party(parent: Node, name: string, who: CdarParty): void {
  const element = ram(parent, name);
  if (who.siren) ram(element, 'GlobalID', who.siren, 'ram', { schemeID: SIREN_SCHEME });
  ram(element, 'RoleCode', who.role);
}

/** An element being written: a name, attributes, and either a text or children. Escaped on output. */
class Node {
  private readonly children: Node[] = [];

  constructor(
    private readonly name: string,
    private readonly attributes: Readonly<Record<string, string>> = {},
    private readonly text?: string,
  ) {}

  add(child: Node): Node {
    this.children.push(child);
    return child;
  }

  toXml(indent: string): string {
    const attributes = Object.entries(this.attributes)
      .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
      .join('');
    const open = `${indent}<${this.name}${attributes}`;
    if (this.text !== undefined) return `${open}>${escapeXml(this.text)}</${this.name}>`;
    if (this.children.length === 0) return `${open}/>`;
    const inner = this.children.map((child) => child.toXml(`${indent}  `)).join('\n');
    return `${open}>\n${inner}\n${indent}</${this.name}>`;
  }
}

/**
 * Text as element content or attribute value. (The e-invoice writers have their own in documents/, which
 * adapters may not import; a lifecycle message holds a few short values.)
 */
const escapeXml = (value: string) =>
  value.replace(/[&<>"]/g, (char) =>
    char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : '&quot;',
  );

/** fast-xml-parser, keeping every element as an array and every attribute, values as text. */
const PARSER = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses a message into elements with their namespaces resolved from the `xmlns` declarations in scope. A
 * DTD is refused before parsing (no entity of ours or anyone's is ever expanded).
 */
function parseXml(text: string): Element {
  if (/<!DOCTYPE/i.test(text)) throw new CdarReadError('not XML: a DTD is not accepted');
  let tree: Record<string, unknown>;
  try {
    tree = PARSER.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new CdarReadError(`not XML: ${(error as Error).message}`);
  }
  const roots = Object.entries(tree).filter(([name]) => !name.startsWith('?') && !name.startsWith('#'));
  const [first] = roots;
  if (roots.length !== 1 || !first) throw new CdarReadError('not XML: no single root element');
  const [name, values] = first;
  const value = Array.isArray(values) ? values[0] : undefined;
  return elementOf(name, value, new Map());
}

function elementOf(name: string, value: unknown, inScope: ReadonlyMap<string, string>): Element {
  const fields = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const attributes = new Map<string, string>();
  const namespaces = new Map(inScope);
  for (const [key, raw] of Object.entries(fields)) {
    if (!key.startsWith('@')) continue;
    const attribute = key.slice(1);
    const text = String(raw);
    if (attribute === 'xmlns') namespaces.set('', text);
    else if (attribute.startsWith('xmlns:')) namespaces.set(attribute.slice(6), text);
    else attributes.set(attribute, text);
  }
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const childNodes: Element[] = [];
  for (const [key, raw] of Object.entries(fields)) {
    if (key.startsWith('@') || key === '#text' || !Array.isArray(raw)) continue;
    for (const item of raw) childNodes.push(elementOf(key, item, namespaces));
  }
  const ownText = fields['#text'];
  const textContent =
    typeof ownText === 'string' || typeof ownText === 'number'
      ? String(ownText)
      : childNodes.map((node) => node.textContent ?? '').join('');
  return {
    localName: colon < 0 ? name : name.slice(colon + 1),
    namespaceURI: namespaces.get(prefix) ?? null,
    textContent,
    childNodes,
    getAttribute: (attribute) => attributes.get(attribute) ?? null,
  };
}
