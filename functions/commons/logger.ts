import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/** The container's logger, which hands each invocation a child of its own. */
class ContainerLogger extends Logger {
  /**
   * A logger for one invocation: the container's settings and persistent keys, this invocation's Lambda
   * context and keys. The cold start is the container's, claimed by its first invocation only (a fresh
   * child would claim its own).
   */
  forInvocation(context: Context | undefined, keys: LogAttributes): Logger {
    const child = this.createChild() as ContainerLogger;
    if (context) {
      child.coldStart = this.getColdStart();
      child.addContext(context);
    }
    child.appendKeys(keys);
    return child;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ContainerLogger(options);
  }
}

/**
 * The container's logger, built the first time anything logs: most containers answer many requests before
 * their first line (a request logs only when refused or failed), and building it is a measurable share of
 * the cold start. The cold start is still claimed by the first invocation that logs, as before.
 */
let container: ContainerLogger | undefined;
const containerLogger = (): ContainerLogger => {
  container ??= new ContainerLogger({ serviceName: 'deferred-billing' });
  return container;
};

/** One invocation's logging context; its logger is built the first time the invocation logs. */
interface Invocation {
  context: Context | undefined;
  keys: LogAttributes;
  logger?: Logger;
}
const invocations = new AsyncLocalStorage<Invocation>();

/** The logger of the invocation in progress, built on first use (most invocations never log). */
function current(): Logger {
  const invocation = invocations.getStore();
  if (!invocation) return containerLogger();
  invocation.logger ??= containerLogger().forInvocation(invocation.context, invocation.keys);
  return invocation.logger;
}

/**
 * Structured JSON logs; every line carries the function, the request and the correlation id. It resolves to
 * the logger of the invocation in progress (see `withInvocationLogger`), or the container's outside one.
 * On Lambda a container runs one invocation at a time, but locally (`npm start`, the tests) every handler
 * runs in one process, several at once: state kept on one shared instance (`addContext`, `appendKeys`)
 * would put one invocation's function and keys on another's lines.
 */
// The proxy's target is never read: every property comes from the logger `current()` resolves to.
export const logger: Logger = new Proxy<Logger>({} as Logger, {
  get(_target, property) {
    const invocation = invocations.getStore();
    // Keys appended before the invocation's first line wait in its keys; the logger is still not built.
    if (property === 'appendKeys' && invocation && !invocation.logger) {
      return (keys: LogAttributes) => {
        Object.assign(invocation.keys, keys);
      };
    }
    const instance = current();
    const value: unknown = Reflect.get(instance, property, instance);
    // Bound to the instance itself: Logger keeps its state in private fields, which a proxy cannot reach.
    return typeof value === 'function' ? value.bind(instance) : value;
  },
});

/**
 * Runs one invocation of a handler with its own logger (its Lambda context and `keys` on every line), seen
 * through `logger` by everything it calls, however many other invocations run in the process meanwhile.
 */
export function withInvocationLogger<T>(
  context: Context | undefined,
  keys: LogAttributes,
  run: () => Promise<T>,
): Promise<T> {
  return invocations.run({ context, keys: { ...keys } }, run);
}
