/**
 * A fake approved platform for the local stack and the tests: a real HTTP server of the AFNOR XP Z12-013
 * API our adapter speaks (not a mock of our code), on 127.0.0.1.
 *
 *   POST /oauth/token                          OAuth2 client credentials (Basic or form), bearer tokens
 *   POST /flow/v1/flows                        multipart flowInfo + file: checks the sha256, stores the flow,
 *                                              validates the document (injected validator) → acknowledgement
 *                                              Ok (200 Déposée) or Error with the failed rules (213 Rejetée);
 *                                              a CDAR from the seller ("Encaissée") is recorded on its invoice
 *                                              (negative amounts: a correction, never below what was received)
 *   POST /flow/v1/flows/search                 updatedAfter / trackingId / direction… filters, oldest first
 *   GET  /flow/v1/flows/{flowId}[?docType=Original]   metadata, or the document itself
 *   POST /directory/v1/directory-line/search   a directory of companies by SIREN
 *   GET  /                                     a page listing the flows and their history, with buttons to
 *                                              move an invoice to approved, refused, in dispute or paid
 *   /control/…                                 the same moves as JSON for tests, faults to inject, tokens to
 *                                              expire, directory lines to set, the callback URL
 *
 * Every status change is sent as a signed webhook (webhook-signature.ts) to the callback URL, when one is
 * set: `{ "flowInfo": <Flow> }`, the flow that changed (an invoice's acknowledgement, or a new lifecycle
 * message about it). The fake validates a document before it answers its deposit, so what a test reads
 * right after is final; a real platform may take longer. Not authenticated beyond the token; local only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { readCdar, writeCdar } from '../../shared/adapters/platform/cdar.js';
import { signWebhook } from '../../shared/adapters/platform/webhook-signature.js';
import {
  LIFECYCLE_STATUSES,
  type LifecycleAmount,
  type LifecycleReason,
  type LifecycleStatusCode,
} from '../../shared/core/domain/einvoice-lifecycle.js';
import { renderFakePlatformPage } from './fake-platform-page.js';
import {
  type FlowValidator,
  type InvoiceFacts,
  invoiceFacts,
  wellFormedValidator,
} from './fake-platform-validator.js';

export interface FakePlatformOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The one OAuth2 client the fake knows. */
  clientId: string;
  clientSecret: string;
  /** The key webhooks are signed with (base64), as registered by the subscriber. */
  webhookSecret: string;
  /** Where webhooks go; none are sent until one is set (also `PUT /control/callback`). */
  callbackUrl?: string;
  /** Checks a deposited invoice (CII, UBL or Factur-X); the default checks well-formedness and the root. */
  validate?: FlowValidator;
  tokenTtlSeconds?: number;
  /** Companies not given a line explicitly are in the directory, reachable at their SIREN (default true). */
  openDirectory?: boolean;
  /** A JSON file keeping the flows across restarts (`npm start`); memory only when absent. */
  dataFile?: string;
  log?: (line: string) => void;
}

export interface FakePlatform {
  /** `http://127.0.0.1:<port>`: the page. */
  url: string;
  /** The values of PLATFORM_FLOW_URL, PLATFORM_DIRECTORY_URL and PLATFORM_TOKEN_URL. */
  flowServiceUrl: string;
  directoryServiceUrl: string;
  tokenUrl: string;
  /** Resolves once every webhook started so far was delivered or given up. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface AckDetail {
  level: 'Error' | 'Warning';
  item: string;
  reasonCode: string;
  reasonMessage: string;
}

/** One line of an invoice's lifecycle as the fake shows it. */
export interface HistoryLine {
  code: LifecycleStatusCode;
  at: string;
  reasons: LifecycleReason[];
  amounts?: LifecycleAmount[];
  /** The date the seller's message gives its status (a 212: the day the payment was received). */
  statusDate?: string;
}

/** A flow as the fake keeps it. */
export interface StoredFlow {
  flowId: string;
  trackingId?: string;
  name: string;
  flowSyntax: string;
  processingRule: string;
  flowType: string;
  flowDirection: 'In' | 'Out';
  sha256: string;
  submittedAt: string;
  updatedAt: string;
  acknowledgement: { status: 'Pending' | 'Ok' | 'Error'; details?: AckDetail[] };
  contentType: string;
  /** The document, base64. */
  document: string;
  /** Invoices: what their document says, and their lifecycle. */
  facts?: InvoiceFacts;
  history?: HistoryLine[];
  /** Lifecycle messages: the invoice flow they are about, and their status. */
  about?: string;
  statusCode?: LifecycleStatusCode;
}

/** A fault the next matching calls meet (tests): an HTTP status, or a delay before or after the work. */
interface Fault {
  route: 'flows' | 'search' | 'flow' | 'token' | 'directory' | 'any';
  status?: number;
  delayMs?: number;
  /** Delay the answer after the work is done (a timeout the caller sees once the flow exists). */
  afterWork?: boolean;
  remaining: number;
}

interface WebhookDelivery {
  id: string;
  flowId: string;
  url: string;
  attempts: number;
  status?: number;
  error?: string;
  at: string;
}

const INVOICE_SYNTAXES = new Set(['CII', 'UBL', 'Factur-X']);
const FLOW_SYNTAXES = new Set([...INVOICE_SYNTAXES, 'CDAR', 'FRR']);
/** The statuses the buyer's side sets, which the page and the control endpoint can move an invoice to. */
const BUYER_MOVES = new Set<LifecycleStatusCode>(['203', '204', '205', '206', '207', '208', '210', '211']);
const MAX_FILE_BYTES = 20 * 1024 * 1024;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakePlatform(options: FakePlatformOptions): Promise<FakePlatform> {
  const validate = options.validate ?? wellFormedValidator;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  const log = options.log ?? (() => {});
  const flows = new Map<string, StoredFlow>();
  const tokens = new Map<string, number>();
  const faults: Fault[] = [];
  const directory = new Map<string, DirectoryLine | null>();
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  let callbackUrl = options.callbackUrl;
  let lastStamp = 0;
  let tokensIssued = 0;

  if (options.dataFile) {
    try {
      const saved = JSON.parse(await readFile(options.dataFile, 'utf8')) as { flows?: StoredFlow[] };
      for (const flow of saved.flows ?? []) flows.set(flow.flowId, flow);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  let saving = Promise.resolve();
  const save = () => {
    const file = options.dataFile;
    if (!file) return;
    const snapshot = JSON.stringify({ flows: [...flows.values()] });
    saving = saving
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, snapshot);
        await rename(`${file}.tmp`, file);
      })
      .catch((error: unknown) => log(`could not save the flows: ${(error as Error).message}`));
  };

  /** Strictly increasing instants, so "updated after" never loses a flow to a tie. */
  const stamp = () => {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    return new Date(lastStamp).toISOString();
  };

  const wire = (flow: StoredFlow) => ({
    flowId: flow.flowId,
    ...(flow.trackingId ? { trackingId: flow.trackingId } : {}),
    name: flow.name,
    processingRule: flow.processingRule,
    processingRuleSource: 'Computed',
    flowSyntax: flow.flowSyntax,
    sha256: flow.sha256,
    submittedAt: flow.submittedAt,
    updatedAt: flow.updatedAt,
    flowType: flow.flowType,
    flowDirection: flow.flowDirection,
    acknowledgement: flow.acknowledgement,
  });

  const notify = (flow: StoredFlow) => {
    const url = callbackUrl;
    if (!url) return;
    const body = JSON.stringify({ flowInfo: wire(flow) });
    const delivery: WebhookDelivery = {
      id: randomUUID(),
      flowId: flow.flowId,
      url,
      attempts: 0,
      at: stamp(),
    };
    deliveries.push(delivery);
    if (deliveries.length > 200) deliveries.shift();
    const send = (async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200 * 3 ** attempt));
        delivery.attempts += 1;
        try {
          const headers = signWebhook({
            secret: options.webhookSecret,
            id: delivery.id,
            timestamp: Date.now() / 1000,
            body,
          });
          const response = await fetch(url, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(5000),
          });
          delivery.status = response.status;
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return;
        } catch (error) {
          delivery.error = (error as Error).message;
        }
      }
      log(`webhook for flow ${flow.flowId} not delivered to ${url} (${delivery.status ?? delivery.error})`);
    })();
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send));
  };

  /** Records a status on an invoice flow and sends it as a lifecycle message (an `In` CDAR flow). */
  const deliverStatus = (
    invoice: StoredFlow,
    code: LifecycleStatusCode,
    reasons: LifecycleReason[],
    amounts?: LifecycleAmount[],
  ): StoredFlow => {
    const at = stamp();
    invoice.history = [...(invoice.history ?? []), { code, at, reasons, ...(amounts ? { amounts } : {}) }];
    const facts = invoice.facts ?? {};
    const sellerSiren = facts.sellerSiren ?? '';
    const flowId = randomUUID();
    const xml = writeCdar({
      messageId: flowId,
      issuedAt: at,
      issuer:
        code === '203'
          ? { role: 'WK' }
          : { ...(facts.buyerSiren ? { siren: facts.buyerSiren } : {}), role: 'BY' },
      recipient: { ...(sellerSiren ? { siren: sellerSiren } : {}), role: 'SE' },
      statuses: [
        {
          status: code,
          document: {
            number: facts.number ?? invoice.trackingId ?? invoice.flowId,
            issueDate: facts.issueDate ?? invoice.submittedAt.slice(0, 10),
            typeCode: facts.typeCode ?? '380',
            sellerSiren,
          },
          at,
          reasons,
          ...(amounts ? { amounts } : {}),
        },
      ],
    });
    const document = Buffer.from(xml, 'utf8');
    const message: StoredFlow = {
      flowId,
      name: `${code}-${facts.number ?? invoice.flowId}.xml`,
      flowSyntax: 'CDAR',
      processingRule: 'B2B',
      flowType: 'CustomerInvoiceLC',
      flowDirection: 'In',
      sha256: sha256Of(document),
      submittedAt: at,
      updatedAt: at,
      acknowledgement: { status: 'Ok' },
      contentType: 'application/xml',
      document: document.toString('base64'),
      about: invoice.flowId,
      statusCode: code,
    };
    flows.set(flowId, message);
    save();
    notify(message);
    log(
      `flow ${invoice.flowId} (${facts.number ?? invoice.trackingId}): ${code} ${LIFECYCLE_STATUSES[code].fr}`,
    );
    return message;
  };

  /** The buyer's side moves a deposited invoice (the page's buttons, the control endpoint). */
  const move = (
    flowId: string,
    input: { code?: unknown; reason?: unknown; reasonCode?: unknown; amountMinor?: unknown },
  ) => {
    const invoice = flows.get(flowId);
    if (invoice?.flowDirection !== 'Out' || !INVOICE_SYNTAXES.has(invoice.flowSyntax)) {
      throw new HttpProblem(404, 'NotFound', `no invoice flow ${flowId}`);
    }
    if (invoice.acknowledgement.status !== 'Ok') {
      throw new HttpProblem(
        409,
        'InvoiceLCInvalidStatus',
        `flow ${flowId} was not deposited (${invoice.acknowledgement.status})`,
      );
    }
    const code = String(input.code ?? '') as LifecycleStatusCode;
    if (!BUYER_MOVES.has(code)) {
      throw new HttpProblem(
        400,
        'InvoiceLCStatusError',
        `the buyer's side sets ${[...BUYER_MOVES].join(', ')}, not "${code}"`,
      );
    }
    const reasonText = typeof input.reason === 'string' ? input.reason.trim() : '';
    const reasonCode = typeof input.reasonCode === 'string' ? input.reasonCode.trim() : '';
    if (LIFECYCLE_STATUSES[code].needsReason && !reasonText) {
      throw new HttpProblem(
        400,
        'InvoiceLCRuleError',
        `${code} ${LIFECYCLE_STATUSES[code].fr} needs a reason`,
      );
    }
    const reasons = reasonText ? [{ ...(reasonCode ? { code: reasonCode } : {}), text: reasonText }] : [];
    let amounts: LifecycleAmount[] | undefined;
    if (code === '211') {
      const amountMinor =
        input.amountMinor === undefined ? minorOf(invoice.facts?.total) : Number(input.amountMinor);
      if (amountMinor !== undefined && Number.isSafeInteger(amountMinor) && amountMinor > 0) {
        amounts = [{ amountMinor, currency: invoice.facts?.currency ?? 'EUR' }];
      }
    }
    return deliverStatus(invoice, code, reasons, amounts);
  };

  const acceptFlow = async (request: IncomingMessage, body: Buffer): Promise<StoredFlow> => {
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      throw new HttpProblem(400, 'InvalidRequest', 'a flow is sent as multipart/form-data (flowInfo, file)');
    }
    let form: FormData;
    try {
      form = await new Request('http://fake-platform.local/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      }).formData();
    } catch {
      throw new HttpProblem(400, 'InvalidRequest', 'the multipart body cannot be read');
    }
    const info = form.get('flowInfo');
    const file = form.get('file');
    let flowInfo: Record<string, unknown>;
    try {
      flowInfo = JSON.parse(typeof info === 'string' ? info : ((await info?.text()) ?? '')) as Record<
        string,
        unknown
      >;
    } catch {
      throw new HttpProblem(400, 'InvalidRequest', 'flowInfo must be a JSON part');
    }
    const syntax = flowInfo.flowSyntax;
    if (typeof syntax !== 'string' || !FLOW_SYNTAXES.has(syntax)) {
      throw new HttpProblem(
        400,
        'InvalidRequest',
        `flowInfo.flowSyntax must be one of ${[...FLOW_SYNTAXES].join(', ')}`,
      );
    }
    const trackingId = flowInfo.trackingId;
    if (trackingId !== undefined && (typeof trackingId !== 'string' || trackingId.length > 36)) {
      throw new HttpProblem(400, 'InvalidRequest', 'flowInfo.trackingId has 36 characters at most');
    }
    if (!(file instanceof File) || file.size === 0)
      throw new HttpProblem(400, 'EmptyFlow', 'the file part is missing or empty');
    if (file.size > MAX_FILE_BYTES)
      throw new HttpProblem(413, 'FileSizeExceeded', `a flow is ${MAX_FILE_BYTES} bytes at most`);
    const document = Buffer.from(await file.arrayBuffer());
    const sha256 = sha256Of(document);
    if (flowInfo.sha256 !== undefined && flowInfo.sha256 !== sha256) {
      throw new HttpProblem(
        400,
        'ChecksumMismatch',
        `the file's SHA-256 is ${sha256}, flowInfo says ${String(flowInfo.sha256)}`,
      );
    }
    const name = typeof flowInfo.name === 'string' && flowInfo.name ? flowInfo.name : file.name;
    const submittedAt = stamp();
    const flow: StoredFlow = {
      flowId: randomUUID(),
      ...(typeof trackingId === 'string' && trackingId ? { trackingId } : {}),
      name,
      flowSyntax: syntax,
      processingRule: typeof flowInfo.processingRule === 'string' ? flowInfo.processingRule : 'B2B',
      flowType: INVOICE_SYNTAXES.has(syntax) ? 'CustomerInvoice' : 'CustomerInvoiceLC',
      flowDirection: 'Out',
      sha256,
      submittedAt,
      updatedAt: submittedAt,
      acknowledgement: { status: 'Pending' },
      contentType: file.type || (syntax === 'Factur-X' ? 'application/pdf' : 'application/xml'),
      document: document.toString('base64'),
    };
    if (syntax === 'CDAR') return acceptStatusMessage(flow, document);
    if (!INVOICE_SYNTAXES.has(syntax))
      throw new HttpProblem(422, 'FlowTypeError', `the fake takes no ${syntax} flows`);
    flows.set(flow.flowId, flow);
    flow.facts = invoiceFacts(document, syntax);
    const verdict = await validate(document, syntax);
    const duplicate =
      verdict.ok && flow.facts.number
        ? [...flows.values()].find(
            (other) =>
              other.flowId !== flow.flowId &&
              other.acknowledgement.status === 'Ok' &&
              other.facts?.number === flow.facts?.number &&
              other.facts?.sellerSiren === flow.facts?.sellerSiren,
          )
        : undefined;
    const details: AckDetail[] = duplicate
      ? [
          {
            level: 'Error',
            item: 'BT-1',
            reasonCode: 'AlreadyExistingFlow',
            reasonMessage: `invoice ${flow.facts.number} was already deposited (flow ${duplicate.flowId})`,
          },
        ]
      : verdict.failures.map(detailOf);
    flow.updatedAt = stamp();
    if (verdict.ok && !duplicate) {
      flow.acknowledgement = { status: 'Ok' };
      flow.history = [{ code: '200', at: flow.updatedAt, reasons: [] }];
    } else {
      flow.acknowledgement = { status: 'Error', details };
      const reasons = details.map((detail) => ({
        code: detail.reasonCode,
        item: detail.item,
        text: detail.reasonMessage,
      }));
      flow.history = [{ code: '213', at: flow.updatedAt, reasons }];
    }
    save();
    notify(flow);
    log(
      `flow ${flow.flowId} (${flow.facts.number ?? flow.trackingId}): ${flow.acknowledgement.status === 'Ok' ? '200 Déposée' : `213 Rejetée: ${details.map((d) => d.reasonMessage).join('; ')}`}`,
    );
    // The buyer's platform makes it available at once: the fake plays both corners.
    if (flow.acknowledgement.status === 'Ok') deliverStatus(flow, '203', []);
    return flow;
  };

  /**
   * The amounts of an "Encaissée": received (positive), or a correction of an earlier one (negative: a
   * payment reversed), never undoing more than the invoice's 212s said was received at that rate.
   */
  const checkCollectedAmounts = (invoice: StoredFlow, amounts: readonly LifecycleAmount[]): void => {
    if (amounts.every((amount) => amount.amountMinor >= 0)) return;
    const told = new Map<string, number>();
    const rateOf = (amount: LifecycleAmount) => `${amount.currency} ${amount.vatRate ?? '-'}`;
    for (const line of invoice.history ?? []) {
      if (line.code !== '212') continue;
      for (const amount of line.amounts ?? []) {
        told.set(rateOf(amount), (told.get(rateOf(amount)) ?? 0) + amount.amountMinor);
      }
    }
    for (const amount of amounts) {
      if ((told.get(rateOf(amount)) ?? 0) + amount.amountMinor < 0) {
        throw new HttpProblem(
          422,
          'InvoiceLCAmountError',
          `the correction undoes more than was received at ${rateOf(amount)} %`,
        );
      }
    }
  };

  /** A lifecycle message from the seller ("Encaissée"): recorded on the invoice it names, if the fake knows it. */
  const acceptStatusMessage = (flow: StoredFlow, document: Buffer): StoredFlow => {
    let statuses: ReturnType<typeof readCdar>;
    try {
      statuses = readCdar(document);
    } catch (error) {
      throw new HttpProblem(400, 'InvalidSchema', (error as Error).message);
    }
    if (statuses.length === 0)
      throw new HttpProblem(422, 'InvoiceLCRuleError', 'the message carries no status');
    const updates = statuses.map((status) => {
      const { issuedBy } = LIFECYCLE_STATUSES[status.status];
      if (issuedBy !== 'seller' && issuedBy !== 'any') {
        throw new HttpProblem(
          422,
          'InvoiceLCStatusError',
          `a seller does not send ${status.status} ${LIFECYCLE_STATUSES[status.status].fr}`,
        );
      }
      const invoice = [...flows.values()].find(
        (candidate) =>
          candidate.flowDirection === 'Out' &&
          candidate.acknowledgement.status === 'Ok' &&
          candidate.facts?.number === status.document.number &&
          (!candidate.facts.sellerSiren || candidate.facts.sellerSiren === status.document.sellerSiren),
      );
      if (!invoice) {
        throw new HttpProblem(
          422,
          'InvoiceLCRuleError',
          `no deposited invoice ${status.document.number} of seller ${status.document.sellerSiren}`,
        );
      }
      if (status.status === '212' && !status.amounts?.length) {
        throw new HttpProblem(
          422,
          'InvoiceLCAmountError',
          '"Encaissée" carries the amount received (BR-FR-CDV-14)',
        );
      }
      if (status.status === '212') checkCollectedAmounts(invoice, status.amounts ?? []);
      return { invoice, status };
    });
    flow.acknowledgement = { status: 'Ok' };
    flow.updatedAt = stamp();
    flow.about = updates[0]?.invoice.flowId;
    flow.statusCode = updates[0]?.status.status;
    flows.set(flow.flowId, flow);
    for (const { invoice, status } of updates) {
      invoice.history = [
        ...(invoice.history ?? []),
        {
          code: status.status,
          at: flow.updatedAt,
          reasons: [...(status.reasons ?? [])],
          ...(status.amounts ? { amounts: [...status.amounts] } : {}),
          statusDate: status.at,
        },
      ];
      log(
        `flow ${invoice.flowId} (${invoice.facts?.number}): ${status.status} ${LIFECYCLE_STATUSES[status.status].fr} received from the seller`,
      );
    }
    save();
    notify(flow);
    return flow;
  };

  const search = (body: unknown) => {
    const params = (body ?? {}) as { limit?: unknown; where?: Record<string, unknown> };
    const where = params.where;
    if (!where || typeof where !== 'object' || Object.keys(where).length === 0) {
      throw new HttpProblem(400, 'InvalidRequest', 'where needs at least one criterion');
    }
    const limit = params.limit === undefined ? 25 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new HttpProblem(400, 'InvalidRequest', 'limit is 1 to 100');
    }
    const after = typeof where.updatedAfter === 'string' ? Date.parse(where.updatedAfter) : undefined;
    const before = typeof where.updatedBefore === 'string' ? Date.parse(where.updatedBefore) : undefined;
    if (Number.isNaN(after) || Number.isNaN(before))
      throw new HttpProblem(400, 'InvalidRequest', 'dates are ISO 8601');
    const among = (field: string, value: string) => {
      const allowed = where[field];
      return !Array.isArray(allowed) || allowed.includes(value);
    };
    const results = [...flows.values()]
      .filter(
        (flow) =>
          (after === undefined || Date.parse(flow.updatedAt) > after) &&
          (before === undefined || Date.parse(flow.updatedAt) < before) &&
          (where.trackingId === undefined || flow.trackingId === where.trackingId) &&
          (where.ackStatus === undefined || flow.acknowledgement.status === where.ackStatus) &&
          among('flowDirection', flow.flowDirection) &&
          among('flowType', flow.flowType) &&
          among('processingRule', flow.processingRule),
      )
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.flowId.localeCompare(b.flowId))
      .slice(0, limit);
    return { limit, filters: where, results: results.map(wire) };
  };

  const directoryLines = (body: unknown) => {
    const filters = (body as { filters?: { siren?: { value?: unknown } } } | undefined)?.filters;
    const siren = filters?.siren?.value;
    if (typeof siren !== 'string' || !/^\d{9}$/.test(siren)) {
      throw new HttpProblem(400, 'InvalidRequest', 'filters.siren.value is a SIREN (9 digits)');
    }
    const line = directory.has(siren)
      ? directory.get(siren)
      : options.openDirectory === false
        ? null
        : { addressingIdentifier: siren, status: 'Enabled' as const };
    const results = line
      ? [
          {
            addressingIdentifier: line.addressingIdentifier,
            siren,
            platformType: 'WK',
            directoryLineStatus: line.status,
            legalUnit: { siren, ...(line.name ? { businessName: line.name } : {}) },
          },
        ]
      : [];
    return { totalNumberOfResults: results.length, results };
  };

  const takeFault = (route: Fault['route']) => {
    const fault = faults.find((candidate) => candidate.route === route || candidate.route === 'any');
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault;
  };

  const authorized = (request: IncomingMessage) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const expiresAt = token ? tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  };

  const issueToken = (request: IncomingMessage, body: Buffer) => {
    const form = new URLSearchParams(body.toString('utf8'));
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (basic) {
      const [user = '', password = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':', 2);
      id = decodeURIComponent(user);
      secret = decodeURIComponent(password);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (id !== options.clientId || secret !== options.clientSecret) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenTtlSeconds * 1000);
    tokensIssued += 1;
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: tokenTtlSeconds } };
  };

  const control = (
    method: string,
    path: string,
    body: unknown,
  ): { status: number; body: unknown } | undefined => {
    const input = (body ?? {}) as Record<string, unknown>;
    if (method === 'GET' && path === '/control/flows') {
      return {
        status: 200,
        body: { flows: [...flows.values()].map(({ document: _document, ...flow }) => flow) },
      };
    }
    const moveMatch = /^\/control\/flows\/([^/]+)\/status$/.exec(path);
    if (method === 'POST' && moveMatch) {
      return { status: 200, body: { flow: wire(move(decodeURIComponent(moveMatch[1] ?? ''), input)) } };
    }
    if (method === 'POST' && path === '/control/faults') {
      const route = String(input.route ?? 'any') as Fault['route'];
      faults.push({
        route,
        ...(input.status !== undefined ? { status: Number(input.status) } : {}),
        ...(input.delayMs !== undefined ? { delayMs: Number(input.delayMs) } : {}),
        ...(input.afterWork ? { afterWork: true } : {}),
        remaining: Number(input.count ?? 1),
      });
      return { status: 204, body: undefined };
    }
    if (method === 'GET' && path === '/control/tokens') {
      return {
        status: 200,
        body: { issued: tokensIssued, active: [...tokens.values()].filter((at) => at > Date.now()).length },
      };
    }
    if (method === 'POST' && path === '/control/tokens/expire') {
      tokens.clear();
      return { status: 204, body: undefined };
    }
    const directoryMatch = /^\/control\/directory\/(\d{9})$/.exec(path);
    if (method === 'PUT' && directoryMatch) {
      const siren = directoryMatch[1] ?? '';
      directory.set(
        siren,
        input.absent
          ? null
          : {
              addressingIdentifier:
                typeof input.addressingIdentifier === 'string' ? input.addressingIdentifier : siren,
              status: input.status === 'Disabled' || input.status === 'Upcoming' ? input.status : 'Enabled',
              ...(typeof input.name === 'string' ? { name: input.name } : {}),
            },
      );
      return { status: 204, body: undefined };
    }
    if (method === 'PUT' && path === '/control/callback') {
      callbackUrl = typeof input.url === 'string' && input.url ? input.url : undefined;
      return { status: 204, body: undefined };
    }
    if (method === 'GET' && path === '/control/webhooks') return { status: 200, body: { deliveries } };
    return undefined;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-platform.local');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const body = await readBody(request, MAX_FILE_BYTES + 1024 * 1024);
    if (method === 'GET' && path === '/') {
      return send(
        response,
        200,
        renderFakePlatformPage({ flows: [...flows.values()], callbackUrl, deliveries }),
        'text/html; charset=utf-8',
      );
    }
    const pageMove = /^\/flows\/([^/]+)\/status$/.exec(path);
    if (method === 'POST' && pageMove) {
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      move(decodeURIComponent(pageMove[1] ?? ''), form);
      response.writeHead(303, { location: '/' });
      return response.end();
    }
    const pageDocument = /^\/flows\/([^/]+)\/document$/.exec(path);
    if (method === 'GET' && pageDocument) {
      const flow = flows.get(decodeURIComponent(pageDocument[1] ?? ''));
      if (!flow) throw new HttpProblem(404, 'NotFound', 'no such flow');
      return send(response, 200, Buffer.from(flow.document, 'base64'), flow.contentType);
    }
    if (path.startsWith('/control/')) {
      const answer = control(method, path, body.length > 0 ? parseJsonBody(body) : undefined);
      if (!answer) throw new HttpProblem(404, 'NotFound', `no control ${method} ${path}`);
      return answer.body === undefined
        ? send(response, answer.status, '')
        : sendJson(response, answer.status, answer.body);
    }
    const route: Fault['route'] | undefined =
      path === '/oauth/token'
        ? 'token'
        : path === '/flow/v1/flows'
          ? 'flows'
          : path === '/flow/v1/flows/search'
            ? 'search'
            : path.startsWith('/flow/v1/flows/')
              ? 'flow'
              : path === '/directory/v1/directory-line/search'
                ? 'directory'
                : undefined;
    if (!route) {
      if (method === 'GET' && (path === '/flow/v1/healthcheck' || path === '/directory/v1/healthcheck')) {
        return sendJson(response, 200, { status: 'UP' });
      }
      throw new HttpProblem(404, 'NotFound', `no route ${method} ${path}`);
    }
    const fault = takeFault(route);
    if (fault?.delayMs && !fault.afterWork) await sleep(fault.delayMs);
    if (fault?.status) {
      if (fault.status === 503 || fault.status === 429) response.setHeader('retry-after', '1');
      throw new HttpProblem(
        fault.status,
        fault.status >= 500 ? 'ServiceUnavailable' : 'Fault',
        'an injected fault',
      );
    }
    let answer: { status: number; body: unknown; contentType?: string };
    if (route === 'token') {
      if (method !== 'POST') throw new HttpProblem(405, 'MethodNotAllowed', 'POST a token request');
      answer = issueToken(request, body);
    } else {
      if (!authorized(request))
        throw new HttpProblem(401, 'Unauthorized', 'a valid bearer token is required');
      if (route === 'flows' && method === 'POST') {
        const flow = await acceptFlow(request, body);
        const {
          acknowledgement: _ack,
          flowType: _type,
          flowDirection: _direction,
          updatedAt: _updated,
          processingRuleSource: _source,
          ...info
        } = wire(flow);
        answer = { status: 202, body: info };
      } else if (route === 'search' && method === 'POST') {
        answer = { status: 200, body: search(parseJsonBody(body)) };
      } else if (route === 'flow' && method === 'GET') {
        const flow = flows.get(decodeURIComponent(path.slice('/flow/v1/flows/'.length)));
        if (!flow) throw new HttpProblem(404, 'NotFound', 'no such flow');
        const docType = url.searchParams.get('docType') ?? 'Metadata';
        if (docType === 'Metadata') answer = { status: 200, body: wire(flow) };
        else if (docType === 'Original')
          answer = { status: 200, body: Buffer.from(flow.document, 'base64'), contentType: flow.contentType };
        else throw new HttpProblem(404, 'NotFound', `no ${docType} document for this flow`);
      } else if (route === 'directory' && method === 'POST') {
        answer = { status: 200, body: directoryLines(parseJsonBody(body)) };
      } else {
        throw new HttpProblem(405, 'MethodNotAllowed', `${method} ${path}`);
      }
    }
    if (fault?.delayMs && fault.afterWork) await sleep(fault.delayMs);
    if (response.destroyed) return;
    if (Buffer.isBuffer(answer.body)) return send(response, answer.status, answer.body, answer.contentType);
    return sendJson(response, answer.status, answer.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) return;
      if (error instanceof HttpProblem) {
        return sendJson(response, error.status, { errorCode: error.code, errorMessage: error.message });
      }
      log(`error: ${(error as Error).stack ?? String(error)}`);
      return sendJson(response, 500, {
        errorCode: 'InternalError',
        errorMessage: 'the fake platform failed',
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    flowServiceUrl: `${url}/flow`,
    directoryServiceUrl: `${url}/directory`,
    tokenUrl: `${url}/oauth/token`,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await saving;
    },
  };
}

interface DirectoryLine {
  addressingIdentifier: string;
  status: 'Enabled' | 'Disabled' | 'Upcoming';
  name?: string;
}

/** A validator's failure line as an acknowledgement detail: its rule id (`BR-CO-15: …`) as the reason code. */
function detailOf(failure: string): AckDetail {
  const rule = /^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\b/.exec(failure)?.[1];
  return {
    level: 'Error',
    item: rule ?? 'file',
    reasonCode: rule ?? 'InvalidSchema',
    reasonMessage: failure,
  };
}

/** "817.63" as minor units (two decimals), when it is one. */
function minorOf(total: string | undefined): number | undefined {
  const match = total ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(total) : null;
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : undefined;
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'InvalidRequest', 'the body is not JSON');
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpProblem(413, 'FileSizeExceeded', 'the request is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = 'text/plain; charset=utf-8',
) {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  send(response, status, JSON.stringify(body), 'application/json');
}
