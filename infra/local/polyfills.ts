/**
 * Node 20 lacks `Promise.withResolvers` (Node 22 has it). aws-local-stepfunctions relies on it and, without it,
 * every Task state fails silently into its Catch. Install before running any state machine locally.
 */
export function installPolyfills(): void {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: <T>() => {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
