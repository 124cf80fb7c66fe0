import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_PLATFORM, platformEnvironment } from '../../infra/local/environment.js';
import {
  type FakePlatform,
  type FakePlatformOptions,
  startFakePlatform,
} from '../../infra/local/fake-platform.js';
import { AfnorPlatform } from '../../shared/adapters/platform/afnor-platform.js';
import { inlineCredentials } from '../../shared/adapters/platform/credentials.js';
import { PlatformHttpClient } from '../../shared/adapters/platform/http-client.js';
import { approvedPlatform } from '../../shared/composition/root.js';
import type {
  ApprovedPlatform,
  FlowSubmission,
  PlatformCallback,
} from '../../shared/core/ports/approved-platform.js';

/** A fake platform on a free port, knowing the local client. */
export function givenFakePlatform(options: Partial<FakePlatformOptions> = {}): Promise<FakePlatform> {
  return startFakePlatform({ port: 0, ...LOCAL_PLATFORM, ...options });
}

/** The adapter as the composition root builds it, pointed at a fake, with its variables overridden. */
export function platformClient(fake: FakePlatform, env: Record<string, string> = {}): ApprovedPlatform {
  return approvedPlatform({ ...platformEnvironment(fake.url), ...env });
}

const SELLER_SIREN = '841234560';
const BUYER_SIREN = '356000000';

/** The adapter built by hand, for what the configuration does not set (the search page size). */
export function platformAdapter(fake: FakePlatform, options: { pageSize: number }): ApprovedPlatform {
  const credentials = inlineCredentials(JSON.stringify(LOCAL_PLATFORM));
  return new AfnorPlatform({
    flowServiceUrl: fake.flowServiceUrl,
    directoryServiceUrl: fake.directoryServiceUrl,
    http: new PlatformHttpClient({
      tokenUrl: fake.tokenUrl,
      clientId: LOCAL_PLATFORM.clientId,
      credentials,
      timeoutMs: 5000,
    }),
    credentials,
    callbackToleranceSeconds: 300,
    pageSize: options.pageSize,
  });
}

/** A minimal CII invoice: number, date, seller and buyer SIRENs, the amount due. Unique number by default. */
export function aCiiInvoice(
  overrides: {
    number?: string;
    typeCode?: string;
    buyerSiren?: string;
    due?: string;
    /** YYYY-MM-DD; 2026-11-30 by default. */
    issueDate?: string;
  } = {},
): { number: string; xml: string } {
  const number = overrides.number ?? `T-${randomUUID().slice(0, 8)}`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocument>
    <ram:ID>${number}</ram:ID>
    <ram:TypeCode>${overrides.typeCode ?? '380'}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">${(overrides.issueDate ?? '2026-11-30').replaceAll('-', '')}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${SELLER_SIREN}</ram:ID></ram:SpecifiedLegalOrganization></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${overrides.buyerSiren ?? BUYER_SIREN}</ram:ID></ram:SpecifiedLegalOrganization></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:DuePayableAmount>${overrides.due ?? '105.08'}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>`;
  return { number, xml };
}

/** What the workflow step will submit: the document, our id, its SHA-256. */
export function submissionOf(
  document: string | Uint8Array,
  trackingId = `inv_${randomUUID().replaceAll('-', '').slice(0, 26)}`,
  syntax: FlowSubmission['syntax'] = 'CII',
): FlowSubmission {
  const bytes = typeof document === 'string' ? Buffer.from(document, 'utf8') : document;
  return {
    trackingId,
    syntax,
    fileName: `${trackingId}.${syntax === 'Factur-X' ? 'pdf' : 'xml'}`,
    document: bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The document a status about an invoice of `aCiiInvoice` names. */
export const statusDocument = (number: string) => ({
  number,
  issueDate: '2026-11-30',
  typeCode: '380' as const,
  sellerSiren: SELLER_SIREN,
  buyerSiren: BUYER_SIREN,
});

/** Calls the fake's JSON control endpoint; answers the status and the parsed body. */
export async function control(
  fake: FakePlatform,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}/control/${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A flow as the fake's control endpoint lists it, with its lifecycle history. */
export async function fakeFlow(fake: FakePlatform, flowId: string) {
  const { body } = await control(fake, 'GET', 'flows');
  return (
    body as {
      flows: {
        flowId: string;
        history?: { code: string; reasons: unknown[]; amounts?: unknown[]; statusDate?: string }[];
      }[];
    }
  ).flows.find((flow) => flow.flowId === flowId);
}

/** A web server standing in for our callback route: keeps every call as the edge would hand it over. */
export async function startCallbackReceiver(): Promise<{
  url: string;
  calls: PlatformCallback[];
  stop(): Promise<void>;
}> {
  const calls: PlatformCallback[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    calls.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/platform/callbacks`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
