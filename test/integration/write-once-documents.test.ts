/**
 * Issued documents are written once (issue 12, item 5): StorePdf writes only if the key is free, records
 * the SHA-256 of the bytes with the PDF, adopts its own object on a retry and never replaces another one.
 * Against DynamoDB Local and s3rver; s3rver has no conditional writes, so S3's 412 to a taken key is the one
 * fault injected (test/support/conditional-writes.ts), everything else is the emulators'.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3DocumentStore } from '../../shared/adapters/s3/document-store.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { invoicePdfKey } from '../../shared/core/ports/documents.js';
import type { BillingDeps } from '../../shared/core/usecases/billing.js';
import { storePdf } from '../../shared/core/usecases/billing-delivery.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { givenBillingDeps, invoiceRef, invoicesOf, runBillingSteps } from '../support/billing-steps.js';
import { s3ClientWithConditionalWrites } from '../support/conditional-writes.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An issued invoice, not yet stored, and billing deps whose S3 answers 412 to a write on a taken key. */
async function givenIssuedInvoice(): Promise<{ deps: BillingDeps; invoice: Invoice; refused: () => number }> {
  const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
  const services = givenServices(clock);
  // A bucket of its own: every test issuer numbers from 2026-000001, so PDF keys repeat across test files.
  const invoiceBucketName = `write-once-${randomUUID()}`;
  await new S3Client({}).send(new CreateBucketCommand({ Bucket: invoiceBucketName }));
  const plain = givenBillingDeps(services, { invoiceBucketName });
  const account = await givenEnrolledAccount(services);
  await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId),
  });
  clock.set('2026-11-01T01:00:00Z');
  const { invoices } = await runBillingSteps(plain, {
    cutOff: '2026-11-01',
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const { client, refused } = s3ClientWithConditionalWrites();
  const deps = { ...plain, documents: new S3DocumentStore(client, plain.config.invoiceBucketName) };
  return { deps, invoice: invoices[0] as Invoice, refused };
}

async function storedBytes(bucket: string, key: string): Promise<Uint8Array> {
  const object = await new S3Client({}).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
}

describe('write-once documents, against the emulators', () => {
  it('records the SHA-256 of the bytes stored, and a retried StorePdf adopts its own object', async () => {
    const { deps, invoice, refused } = await givenIssuedInvoice();
    // The first attempt writes the PDF, then dies before recording it (a Lambda timeout).
    const crashing = Object.assign(Object.create(deps.invoices), {
      recordPdf: async () => {
        throw new Error('Task timed out');
      },
    });
    await expect(storePdf({ ...deps, invoices: crashing }, invoiceRef(invoice))).rejects.toThrow('timed out');
    await storePdf(deps, invoiceRef(invoice));

    // The retry's write was refused (the key was taken) and the object there adopted.
    expect(refused()).toBe(1);
    const [stored] = await invoicesOf(deps, [invoice.accountId]);
    const key = invoicePdfKey(invoice.number as string, invoice.issueDate as string);
    const bytes = await storedBytes(deps.config.invoiceBucketName, key);
    expect(stored?.pdf).toMatchObject({ s3Key: key, bytes: bytes.length, sha256: sha256(bytes) });
  });

  it('never replaces an object written under the key out of band: the step fails and it stays', async () => {
    const { deps, invoice } = await givenIssuedInvoice();
    const key = invoicePdfKey(invoice.number as string, invoice.issueDate as string);
    const intruder = Buffer.from('%PDF-1.7 not the invoice');
    await new S3Client({}).send(
      new PutObjectCommand({ Bucket: deps.config.invoiceBucketName, Key: key, Body: intruder }),
    );

    await expect(storePdf(deps, invoiceRef(invoice))).rejects.toMatchObject({
      name: 'DocumentConflict',
      key,
      foundSha256: sha256(intruder),
    });
    expect(Buffer.from(await storedBytes(deps.config.invoiceBucketName, key)).equals(intruder)).toBe(true);
    const [after] = await invoicesOf(deps, [invoice.accountId]);
    expect(after?.pdf).toBeUndefined();
  });
});
