import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/environment.js';
import { secretsManagerCredentials } from '../../shared/adapters/platform/credentials.js';

/*
 * The platform's secrets read through the real Secrets Manager client. No Secrets Manager emulator runs
 * locally, so a small endpoint here answers GetSecretValue in the service's JSON 1.1 protocol (as
 * infra/local/events-endpoint.ts does for EventBridge), counting the reads.
 */
const ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:platform-AbCdEf';
let server: Server;
let client: SecretsManagerClient;
let secretString: string | undefined;
const reads: string[] = [];

const secretOf = (clientSecret: string) =>
  JSON.stringify({
    clientSecret,
    webhookSecret: Buffer.from('a signing key of some length').toString('base64'),
  });

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
    reads.push(`${request.headers['x-amz-target']} ${SecretId}`);
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(
      JSON.stringify({
        ARN: SecretId,
        Name: 'platform',
        ...(secretString ? { SecretString: secretString } : {}),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the platform's secrets from Secrets Manager", () => {
  it('are read once and kept; a refresh after a refusal reads them again, at most once in a while', async () => {
    reads.length = 0;
    secretString = secretOf('first');
    let now = 1_000_000;
    const credentials = secretsManagerCredentials(client, ARN, { now: () => now });
    const [a, b] = await Promise.all([credentials.current(), credentials.current()]);
    expect(a.clientSecret).toBe('first');
    expect(b).toEqual(a);
    expect(reads).toEqual([`secretsmanager.GetSecretValue ${ARN}`]);
    secretString = secretOf('rotated');
    expect((await credentials.refresh()).clientSecret).toBe('first'); // read a moment ago: not again
    now += 301_000;
    expect((await credentials.refresh()).clientSecret).toBe('rotated');
    expect((await credentials.current()).clientSecret).toBe('rotated');
    expect(reads).toHaveLength(2);
  });

  it('a secret that is not what it must be fails naming the secret, never leaking its value', async () => {
    secretString = JSON.stringify({ clientSecret: 'hush', webhookSecret: 'short' });
    const credentials = secretsManagerCredentials(client, ARN);
    const error = await credentials.current().catch((thrown: unknown) => thrown as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(`secret ${ARN} must hold clientSecret and webhookSecret.*wrong: webhookSecret`),
    );
    expect((error as Error).message).not.toContain('hush');
    secretString = undefined;
    await expect(secretsManagerCredentials(client, ARN).current()).rejects.toThrow(/has no string value/);
  });
});
