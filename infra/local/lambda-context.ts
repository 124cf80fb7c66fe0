import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The Lambda context a local invoker hands a handler, as Lambda would: the function's name and ARN (which
 * its log lines carry), a request id and the remaining time before `timeoutMs`.
 */
export function localLambdaContext(
  functionName: string,
  options: { awsRequestId?: string; timeoutMs?: number } = {},
): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const unsupported = () => {
    throw new Error('context.done/fail/succeed are not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-3:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
