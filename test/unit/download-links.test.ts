import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { S3DownloadLinks } from '../../shared/adapters/s3/download-links.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2026-11-27T10:00:00Z');

async function official(endpoint?: string, versionId?: string) {
  // Without the flexible-checksum parameters, which a plain PDF download does not need.
  const client = new S3Client({
    region: 'eu-west-3',
    credentials,
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...(endpoint ? { endpoint } : {}),
  });
  return getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: 'invoices-bucket',
      Key: 'invoices/2026/2026-000123.pdf',
      ...(versionId ? { VersionId: versionId } : {}),
    }),
    {
      expiresIn: 300,
      signingDate,
    },
  );
}

describe('invoice download links', () => {
  it('are the very links the official S3 presigner makes, on AWS', async () => {
    const ours = await new S3DownloadLinks({
      bucket: 'invoices-bucket',
      region: 'eu-west-3',
      credentials,
    }).presignGet('invoices/2026/2026-000123.pdf', 300, undefined, signingDate);
    const theirs = new URL(await official());
    const mine = new URL(ours);
    expect(mine.origin + mine.pathname).toBe(theirs.origin + theirs.pathname);
    // Same parameters, same signature (their order in the URL does not matter to S3).
    expect(Object.fromEntries(mine.searchParams)).toEqual(Object.fromEntries(theirs.searchParams));
  });

  it('pinned to a version, name it in the signed query, as the official presigner does', async () => {
    // An S3 version id may hold characters that need escaping in a query.
    const versionId = 'Lx.9_3a+b/c=';
    const ours = new URL(
      await new S3DownloadLinks({ bucket: 'invoices-bucket', region: 'eu-west-3', credentials }).presignGet(
        'invoices/2026/2026-000123.pdf',
        300,
        versionId,
        signingDate,
      ),
    );
    const theirs = new URL(await official(undefined, versionId));
    expect(ours.searchParams.get('versionId')).toBe(versionId);
    expect(Object.fromEntries(ours.searchParams)).toEqual(Object.fromEntries(theirs.searchParams));
  });

  it('and against a custom endpoint (the local stack), path-style', async () => {
    const endpoint = 'http://127.0.0.1:4569';
    const links = new S3DownloadLinks({
      bucket: 'invoices-bucket',
      region: 'eu-west-3',
      credentials,
      endpoint,
    });
    const ours = await links.presignGet('invoices/2026/2026-000123.pdf', 300, undefined, signingDate);
    const theirs = await official(endpoint);
    // The official client addresses a custom endpoint virtual-hosted unless told otherwise; compare the signature part.
    expect(new URL(ours).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(new URL(ours).pathname).toBe('/invoices-bucket/invoices/2026/2026-000123.pdf');
    expect(theirs).toContain('X-Amz-Signature=');
  });
});
