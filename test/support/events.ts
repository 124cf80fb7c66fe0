import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ApiEvent, AuthorizerContext } from '../../functions/commons/api-handler.js';

/** An API Gateway HTTP API (payload v2) event as the authorizer-fronted route receives it. */
export function apiEvent(options: {
  routeKey: string;
  rawPath?: string;
  body?: string | object;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  principal?: AuthorizerContext;
}): ApiEvent {
  const [method = 'GET', path = '/'] = options.routeKey.split(' ');
  const body = typeof options.body === 'object' ? JSON.stringify(options.body) : options.body;
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: options.rawPath ?? path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.queryStringParameters ? { queryStringParameters: options.queryStringParameters } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: randomUUID(),
      routeKey: options.routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      authorizer: { lambda: options.principal ?? ({} as AuthorizerContext) },
    },
  } as ApiEvent;
}

export const lambdaContext = {
  awsRequestId: 'test',
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-3:123456789012:function:test',
  memoryLimitInMB: '256',
  logGroupName: 'test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;
