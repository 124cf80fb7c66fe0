import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  depositEventId,
  type LifecycleEvent,
  type LifecycleReason,
} from '../../core/domain/einvoice-lifecycle.js';
import {
  type ApprovedPlatform,
  type CallbackOutcome,
  type DirectoryEntry,
  type FlowAcknowledgement,
  type FlowSubmission,
  type LifecycleUpdatesPage,
  type OutgoingLifecycleStatus,
  PlatformAccessRefused,
  type PlatformCallback,
  PlatformFailure,
  type PlatformFlow,
} from '../../core/ports/approved-platform.js';
import { CdarReadError, readCdar, writeCdar } from './cdar.js';
import type { PlatformCredentials } from './credentials.js';
import { type PlatformHttpClient, parseJson } from './http-client.js';
import { verifyWebhook } from './webhook-signature.js';

/*
 * The ApprovedPlatform port over the standard PA interface, AFNOR XP Z12-013 (Flow Service and Directory
 * Service 1.2.0; docs/APPROVED-PLATFORM.md says what we used and what the standard leaves open):
 *   POST {flow}/v1/flows             multipart `flowInfo` (JSON) + `file`: deposit a document or a status
 *   POST {flow}/v1/flows/search      `{ limit, where: { updatedAfter | trackingId … } }`
 *   GET  {flow}/v1/flows/{flowId}    the flow's metadata, or with `docType=Original` its document
 *   POST {directory}/v1/directory-line/search   `{ filters: { siren: { op: "strict", value } } }`
 * Lifecycle statuses about our invoices come back as flows too: `In` flows of syntax CDAR, whose document
 * says which invoice and which status; the acknowledgement of our own deposit says deposited or rejected.
 */

export interface AfnorPlatformOptions {
  /** Base URLs, without a trailing slash (`…/v1/flows` and `…/v1/directory-line/search` are appended). */
  flowServiceUrl: string;
  directoryServiceUrl: string;
  http: PlatformHttpClient;
  /** Holds the webhook signing key. */
  credentials: PlatformCredentials;
  callbackToleranceSeconds: number;
  /** Flows per search page (the standard allows up to 100). */
  pageSize?: number;
  /** When status messages are written (tests fix it). */
  now?: () => Date;
}

/** The standard's bound on `trackingId` and `flowId`. */
const MAX_ID_LENGTH = 36;
const INVOICE_SYNTAXES = new Set(['CII', 'UBL', 'Factur-X']);

const acknowledgementSchema = z.object({
  status: z.string(),
  details: z.optional(
    z.array(
      z.object({
        level: z.optional(z.string()),
        item: z.optional(z.string()),
        reasonCode: z.optional(z.string()),
        reasonMessage: z.optional(z.string()),
      }),
    ),
  ),
});

/** A flow as the Flow Service describes it (FullFlowInfo after a deposit, Flow everywhere else). */
const flowSchema = z.object({
  flowId: z.string().check(z.minLength(1)),
  trackingId: z.optional(z.nullable(z.string())),
  flowSyntax: z.optional(z.string()),
  flowType: z.optional(z.nullable(z.string())),
  flowDirection: z.optional(z.string()),
  submittedAt: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
  acknowledgement: z.optional(z.nullable(acknowledgementSchema)),
});
type WireFlow = z.infer<typeof flowSchema>;

const searchAnswerSchema = z.object({ results: z.optional(z.array(z.unknown())) });

const directoryAnswerSchema = z.object({
  results: z.optional(
    z.array(
      z.object({
        addressingIdentifier: z.optional(z.string()),
        directoryLineStatus: z.optional(z.string()),
        siren: z.optional(z.string()),
        siret: z.optional(z.nullable(z.string())),
        addressingSuffix: z.optional(z.nullable(z.string())),
        routingCode: z.optional(z.nullable(z.unknown())),
        legalUnit: z.optional(z.nullable(z.object({ businessName: z.optional(z.string()) }))),
      }),
    ),
  ),
});

const callbackSchema = z.object({ flowInfo: z.object({ flowId: z.string().check(z.minLength(1)) }) });

/** Where a listing of updates stands: the platform's instant reached, and the flows seen at it. */
const cursorSchema = z.object({
  after: z.string(),
  seen: z.array(z.string()),
  /** Skip what is left at `after` (a full page of flows sharing one instant made no progress). */
  strict: z.optional(z.boolean()),
});
type Cursor = z.infer<typeof cursorSchema>;

export class AfnorPlatform implements ApprovedPlatform {
  private readonly pageSize: number;
  private readonly now: () => Date;

  constructor(private readonly options: AfnorPlatformOptions) {
    this.pageSize = Math.min(Math.max(options.pageSize ?? 100, 1), 100);
    this.now = options.now ?? (() => new Date());
  }

  async submit(submission: FlowSubmission): Promise<PlatformFlow> {
    checkTrackingId(submission.trackingId);
    if (!/^[a-f0-9]{64}$/.test(submission.sha256)) {
      throw new PlatformFailure('rejected', 'sha256 must be 64 lowercase hex digits', [
        { code: 'ChecksumMismatch', text: 'sha256 must be 64 lowercase hex digits' },
      ]);
    }
    return this.deposit({
      trackingId: submission.trackingId,
      fileName: submission.fileName,
      syntax: submission.syntax,
      contentType: submission.syntax === 'Factur-X' ? 'application/pdf' : 'application/xml',
      document: submission.document,
      sha256: submission.sha256,
    });
  }

  async getFlow(flowId: string): Promise<PlatformFlow | undefined> {
    const response = await this.options.http.send({
      method: 'GET',
      url: `${this.options.flowServiceUrl}/v1/flows/${encodeURIComponent(flowId)}`,
      write: false,
    });
    if (response.status === 404) return undefined;
    return flowOf(parseFlow(response.body));
  }

  async findByTrackingId(trackingId: string): Promise<PlatformFlow[]> {
    checkTrackingId(trackingId);
    const flows = await this.search({ trackingId }, 100);
    return flows.map(flowOf).sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  }

  async listUpdates(from: { since: string } | { cursor: string }): Promise<LifecycleUpdatesPage> {
    const cursor: Cursor = 'cursor' in from ? decodeCursor(from.cursor) : { after: from.since, seen: [] };
    // `updatedAfter` is strict: ask from just before the instant reached and drop the flows already seen
    // there, so flows that share it with the last page's last one are not skipped.
    const after = cursor.strict ? cursor.after : new Date(Date.parse(cursor.after) - 1).toISOString();
    const page = await this.search({ updatedAfter: after }, this.pageSize);
    const seen = new Set(cursor.seen);
    const fresh = page
      .filter((flow) => !(flow.updatedAt === cursor.after && seen.has(flow.flowId)))
      .sort((a, b) => Date.parse(a.updatedAt ?? '') - Date.parse(b.updatedAt ?? ''));
    const full = page.length >= this.pageSize;
    const last = fresh.at(-1)?.updatedAt;
    let next: Cursor;
    if (last === undefined) {
      next = { after: cursor.after, seen: full ? [] : cursor.seen, ...(full ? { strict: true } : {}) };
    } else {
      const atLast = fresh.filter((flow) => flow.updatedAt === last).map((flow) => flow.flowId);
      next = { after: last, seen: last === cursor.after ? [...cursor.seen, ...atLast] : atLast };
    }
    const events: LifecycleEvent[] = [];
    const skipped: { flowId: string; reason: string }[] = [];
    for (const wire of fresh) {
      try {
        events.push(...(await this.eventsOf(flowOf(wire))));
      } catch (error) {
        if (!(error instanceof CdarReadError)) throw error;
        skipped.push({ flowId: wire.flowId, reason: error.message });
      }
    }
    return {
      events,
      cursor: encodeCursor(next),
      more: full && (last !== undefined || !cursor.strict),
      ...(skipped.length > 0 ? { skipped } : {}),
    };
  }

  async sendStatus(status: OutgoingLifecycleStatus): Promise<PlatformFlow> {
    checkTrackingId(status.trackingId);
    const message = writeCdar({
      messageId: status.trackingId,
      issuedAt: this.now().toISOString(),
      issuer: { siren: status.document.sellerSiren, role: 'SE' },
      recipient: { siren: status.document.buyerSiren, role: 'BY' },
      statuses: [
        {
          status: status.code,
          document: status.document,
          at: status.collectedOn,
          amounts: status.amounts,
        },
      ],
    });
    const document = Buffer.from(message, 'utf8');
    return this.deposit({
      trackingId: status.trackingId,
      fileName: `${status.trackingId}.xml`,
      syntax: 'CDAR',
      contentType: 'application/xml',
      document,
      sha256: createHash('sha256').update(document).digest('hex'),
    });
  }

  async lookUpRecipient(siren: string): Promise<DirectoryEntry | undefined> {
    const response = await this.options.http.send({
      method: 'POST',
      url: `${this.options.directoryServiceUrl}/v1/directory-line/search`,
      json: { filters: { siren: { op: 'strict', value: siren } }, limit: 100 },
      write: false,
    });
    if (response.status === 404 || response.body.length === 0) return undefined;
    const parsed = directoryAnswerSchema.safeParse(parseJson(response.body));
    if (!parsed.success) throw unreadable('directory search', parsed.error);
    const lines = (parsed.data.results ?? []).filter((line) => line.addressingIdentifier);
    // The SIREN-level line (no establishment, routing code or suffix) is the company's default address.
    const line =
      lines.find((candidate) => !candidate.siret && !candidate.routingCode && !candidate.addressingSuffix) ??
      lines[0];
    if (!line?.addressingIdentifier) return undefined;
    const name = line.legalUnit?.businessName;
    return {
      siren: line.siren ?? siren,
      electronicAddress: line.addressingIdentifier,
      reachable: (line.directoryLineStatus ?? 'Enabled') === 'Enabled',
      ...(name ? { name } : {}),
    };
  }

  async readCallback(callback: PlatformCallback, now: Date): Promise<CallbackOutcome> {
    const check = (secret: string) =>
      verifyWebhook({
        secret,
        headers: callback.headers,
        body: callback.body,
        now,
        toleranceSeconds: this.options.callbackToleranceSeconds,
      });
    let verification = check((await this.options.credentials.current()).webhookSecret);
    if (!verification.ok && verification.reason === 'bad_signature') {
      // The signing key may have been rotated since we read it (refresh is rate-limited).
      verification = check((await this.options.credentials.refresh()).webhookSecret);
    }
    if (!verification.ok) return { kind: 'refused', reason: verification.reason };
    const parsed = callbackSchema.safeParse(parseJson(Buffer.from(callback.body, 'utf8')));
    if (!parsed.success) return { kind: 'refused', reason: 'malformed' };
    const { flowId } = parsed.data.flowInfo;
    if (flowId.length > MAX_ID_LENGTH) return { kind: 'refused', reason: 'malformed' };
    // The platform's own record is read back: the call only says which flow changed.
    const flow = await this.getFlow(flowId);
    if (!flow) return { kind: 'unknown_flow', flowId };
    try {
      return { kind: 'events', flowId, events: await this.eventsOf(flow) };
    } catch (error) {
      if (error instanceof CdarReadError) return { kind: 'refused', reason: 'malformed' };
      throw error;
    }
  }

  /**
   * What a flow says about our documents: the acknowledgement of a document we deposited (200 deposited,
   * 213 rejected), or the statuses a lifecycle message delivered to us carries. Our own status messages
   * and anything else say nothing.
   */
  private async eventsOf(flow: PlatformFlow): Promise<LifecycleEvent[]> {
    if (flow.direction === 'out' && INVOICE_SYNTAXES.has(flow.syntax)) {
      const ack = flow.acknowledgement;
      if (ack.status === 'pending') return [];
      const document = flow.trackingId ? { trackingId: flow.trackingId } : {};
      return ack.status === 'accepted'
        ? [
            {
              eventId: depositEventId(flow.flowId, '200'),
              flowId: flow.flowId,
              document,
              status: '200',
              at: flow.updatedAt,
              reasons: [],
            },
          ]
        : [
            {
              eventId: depositEventId(flow.flowId, '213'),
              flowId: flow.flowId,
              document,
              status: '213',
              at: flow.updatedAt,
              reasons: ack.reasons,
            },
          ];
    }
    if (flow.direction !== 'in' || flow.syntax !== 'CDAR') return [];
    const response = await this.options.http.send({
      method: 'GET',
      url: `${this.options.flowServiceUrl}/v1/flows/${encodeURIComponent(flow.flowId)}?docType=Original`,
      accept: 'application/xml',
      write: false,
    });
    if (response.status === 404) return [];
    return readCdar(response.body).map((status, index) => ({
      eventId: `${flow.flowId}:${index}`,
      flowId: flow.flowId,
      document: {
        number: status.document.number,
        ...(status.document.issueDate ? { issueDate: status.document.issueDate } : {}),
        ...(status.document.sellerSiren ? { sellerSiren: status.document.sellerSiren } : {}),
      },
      status: status.status,
      at: instantOf(status.at, flow.submittedAt),
      reasons: status.reasons ?? [],
      ...(status.amounts ? { amounts: status.amounts } : {}),
    }));
  }

  private async deposit(input: {
    trackingId: string;
    fileName: string;
    syntax: string;
    contentType: string;
    document: Uint8Array;
    sha256: string;
  }): Promise<PlatformFlow> {
    const flowInfo = {
      trackingId: input.trackingId,
      name: input.fileName,
      flowSyntax: input.syntax,
      sha256: input.sha256,
    };
    const response = await this.options.http.send({
      method: 'POST',
      url: `${this.options.flowServiceUrl}/v1/flows`,
      form: [
        { name: 'flowInfo', contentType: 'application/json', data: JSON.stringify(flowInfo) },
        { name: 'file', contentType: input.contentType, fileName: input.fileName, data: input.document },
      ],
      write: true,
    });
    if (response.status === 404) {
      // Our configuration, not the document: never to be taken for the invoice's rejection.
      throw new PlatformAccessRefused('the platform has no Flow Service at the configured URL');
    }
    const answered = flowSchema.safeParse(parseJson(response.body));
    if (!answered.success) {
      // Deposited (2xx) but we cannot tell under which id: the caller must look it up by tracking id.
      throw new PlatformFailure('ambiguous', 'the platform accepted the flow without a readable flow id');
    }
    const submittedAt = answered.data.submittedAt ?? this.now().toISOString();
    return flowOf({
      flowDirection: 'Out',
      flowSyntax: input.syntax,
      trackingId: input.trackingId,
      ...answered.data,
      submittedAt,
      updatedAt: answered.data.updatedAt ?? submittedAt,
    });
  }

  private async search(where: Record<string, string>, limit: number): Promise<WireFlow[]> {
    const response = await this.options.http.send({
      method: 'POST',
      url: `${this.options.flowServiceUrl}/v1/flows/search`,
      json: { limit, where },
      write: false,
    });
    if (response.status === 404 || response.body.length === 0) return [];
    const parsed = searchAnswerSchema.safeParse(parseJson(response.body));
    if (!parsed.success) throw unreadable('flow search', parsed.error);
    return (parsed.data.results ?? []).map((result) => {
      const flow = flowSchema.safeParse(result);
      if (!flow.success) throw unreadable('flow search result', flow.error);
      return flow.data;
    });
  }
}

function flowOf(wire: WireFlow): PlatformFlow {
  const submittedAt = wire.submittedAt ?? wire.updatedAt ?? '';
  return {
    flowId: wire.flowId,
    ...(wire.trackingId ? { trackingId: wire.trackingId } : {}),
    syntax: wire.flowSyntax ?? '',
    direction: wire.flowDirection === 'In' ? 'in' : 'out',
    ...(wire.flowType ? { flowType: wire.flowType } : {}),
    submittedAt,
    updatedAt: wire.updatedAt ?? submittedAt,
    acknowledgement: acknowledgementOf(wire.acknowledgement ?? undefined),
  };
}

function acknowledgementOf(wire: z.infer<typeof acknowledgementSchema> | undefined): FlowAcknowledgement {
  if (wire?.status === 'Ok') return { status: 'accepted' };
  if (wire?.status !== 'Error') return { status: 'pending' };
  const reasons = (wire.details ?? [])
    .filter((detail) => detail.level !== 'Warning')
    .map(
      (detail): LifecycleReason => ({
        ...(detail.reasonCode ? { code: detail.reasonCode } : {}),
        ...(detail.item ? { item: detail.item } : {}),
        text: detail.reasonMessage ?? detail.reasonCode ?? 'rejected',
      }),
    );
  return {
    status: 'rejected',
    reasons: reasons.length > 0 ? reasons : [{ text: 'rejected by the platform' }],
  };
}

function parseFlow(body: Buffer): WireFlow {
  const parsed = flowSchema.safeParse(parseJson(body));
  if (!parsed.success) throw unreadable('flow', parsed.error);
  return parsed.data;
}

/**
 * A status's instant. Lifecycle messages date to the second (or the day): when the flow that carried one
 * was registered within that second (or on that day), its more precise instant is used, so statuses set
 * within a second keep their order.
 */
function instantOf(at: string, flowInstant: string): string {
  if (!at) return flowInstant;
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return flowInstant.startsWith(at) ? flowInstant : `${at}T00:00:00.000Z`;
  const offset = Date.parse(flowInstant) - Date.parse(at);
  return offset >= 0 && offset < 1000 ? flowInstant : at;
}

function checkTrackingId(trackingId: string): void {
  if (trackingId.length === 0 || trackingId.length > MAX_ID_LENGTH) {
    throw new PlatformFailure('rejected', `a tracking id has 1 to ${MAX_ID_LENGTH} characters`);
  }
}

/** The platform answered 2xx with something we cannot read: a later try may read it (a deploy mid-way). */
function unreadable(what: string, error: z.core.$ZodError): PlatformFailure {
  const where = error.issues[0]?.path.join('.') || '(body)';
  return new PlatformFailure('transient', `the platform's ${what} answer is not readable at ${where}`);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const parsed = cursorSchema.safeParse(parseJson(Buffer.from(text, 'base64url')));
  if (!parsed.success || Number.isNaN(Date.parse(parsed.data.after))) {
    throw new PlatformFailure('rejected', 'not a cursor of this platform adapter');
  }
  return parsed.data;
}
