import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { handler as publishAccountingEvents } from '../../functions/accounting-events/handler.js';
import { apiHandler, type RouteImplementations } from '../../functions/commons/api-handler.js';
import { logger } from '../../functions/commons/logger.js';
import { stepHandler } from '../../functions/commons/step-handler.js';
import { ORDERS_READ_ROUTES } from '../../shared/contracts/http/routes/orders-read.js';
import { apiEvent, lambdaContext } from '../support/events.js';
import { captureLogLines } from '../support/logs.js';

// Locally (npm start, the tests) every handler runs in one process, several invocations at once, as they
// never do in one Lambda container: each log line must still name its own function, route or step, and
// correlation id.

const contextOf = (functionName: string, awsRequestId: string): Context => ({
  ...lambdaContext,
  functionName,
  awsRequestId,
  invokedFunctionArn: `arn:aws:lambda:eu-west-3:123456789012:function:${functionName}`,
});

/** A promise and the function that settles it: lets the test decide in which order invocations go on. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

let capture: ReturnType<typeof captureLogLines>;
beforeEach(() => {
  capture = captureLogLines('INFO');
  process.env.EVENT_BUS_NAME = 'test-accounting';
});
afterEach(() => {
  capture.stop();
  delete process.env.EVENT_BUS_NAME;
});

describe('log lines of concurrent invocations in one process', () => {
  it('each carry their own function name, request id, route key or step, and correlation id', async () => {
    const apiGoesOn = gate();
    const stepGoesOn = gate();
    const readOrder = apiHandler(ORDERS_READ_ROUTES, {
      getOrder: async () => {
        await apiGoesOn.opened;
        throw new Error('the order store is down');
      },
    } as unknown as RouteImplementations<typeof ORDERS_READ_ROUTES>);
    const buildAccount = stepHandler(
      'BuildAccount',
      z.object({ runId: z.string(), accountId: z.string() }),
      async () => {
        await stepGoesOn.opened;
        throw new Error('the build failed');
      },
    );

    // All three start; the step fails (and logs) while the API invocation is still in flight, then the
    // stream batch and the API invocation go on.
    const apiAnswer = readOrder(
      apiEvent({
        routeKey: 'GET /v1/orders/{orderId}',
        rawPath: '/v1/orders/ord_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
        pathParameters: { orderId: 'ord_01JD3Z8Q4N5V2B7C9X0K1M2P3R' },
        headers: { 'x-correlation-id': 'corr-api' },
        principal: { role: 'operator', keyId: 'key_op' },
      }),
      contextOf('orders-read', 'request-api'),
    );
    const stepOutcome = buildAccount(
      { runId: 'run-1', accountId: 'acc-1' },
      contextOf('billing-build', 'request-step'),
    ).catch((error: unknown) => error);
    const streamAnswer = publishAccountingEvents(
      { Records: [] },
      contextOf('accounting-events', 'request-stream'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    stepGoesOn.open();
    expect(await stepOutcome).toBeInstanceOf(Error);
    expect(await streamAnswer).toEqual({ batchItemFailures: [] });
    apiGoesOn.open();
    expect((await apiAnswer).statusCode).toBe(500);

    const lineOf = (message: string) => capture.lines.find((line) => line.message === message);
    expect(lineOf('request failed')).toMatchObject({
      function_name: 'orders-read',
      function_request_id: 'request-api',
      routeKey: 'GET /v1/orders/{orderId}',
      correlationId: 'corr-api',
    });
    expect(lineOf('request failed')).not.toHaveProperty('step');
    expect(lineOf('step failed')).toMatchObject({
      function_name: 'billing-build',
      function_request_id: 'request-step',
      step: 'BuildAccount',
      correlationId: 'run-1',
      accountId: 'acc-1',
    });
    expect(lineOf('step failed')).not.toHaveProperty('routeKey');
    const streamLine = lineOf('accounting events published');
    expect(streamLine).toMatchObject({
      function_name: 'accounting-events',
      function_request_id: 'request-stream',
    });
    for (const key of ['routeKey', 'step', 'correlationId']) expect(streamLine).not.toHaveProperty(key);
  });

  it('keeps what is logged outside an invocation free of any invocation’s keys', async () => {
    await apiHandler(ORDERS_READ_ROUTES, {
      getOrder: async () => ({ status: 200, body: {} }),
    } as unknown as RouteImplementations<typeof ORDERS_READ_ROUTES>)(
      apiEvent({
        routeKey: 'GET /v1/orders/{orderId}',
        pathParameters: { orderId: 'ord_01JD3Z8Q4N5V2B7C9X0K1M2P3R' },
        principal: { role: 'operator', keyId: 'key_op' },
      }),
      contextOf('orders-read', 'request-done'),
    );
    logger.info('between invocations');
    const line = capture.lines.find((entry) => entry.message === 'between invocations');
    expect(line).toBeDefined();
    for (const key of ['function_name', 'function_request_id', 'routeKey', 'correlationId'])
      expect(line).not.toHaveProperty(key);
  });

  it('claims the cold start on the container’s first invocation only, as on Lambda', async () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    vi.resetModules();
    try {
      // A fresh container: the logger module as Lambda loads it, once per execution environment.
      const fresh = await import('../../functions/commons/logger.js');
      for (const requestId of ['first', 'second', 'third']) {
        await fresh.withInvocationLogger(contextOf('orders-read', requestId), {}, async () => {
          fresh.logger.error('invocation');
        });
      }
    } finally {
      delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    }
    const coldStarts = capture.lines
      .filter((line) => line.message === 'invocation')
      .map((line) => [line.function_request_id, line.cold_start]);
    expect(coldStarts).toEqual([
      ['first', true],
      ['second', false],
      ['third', false],
    ]);
  });
});
