/**
 * Stands in for `node:stream/web` in Lambda bundles only (an esbuild alias in LAMBDA_BUNDLING). Its one
 * importer there is `@middy/core` 6, which imports `ReadableStream` at its top for a single check, whether a
 * streamed response (`streamifyResponse`) is a web stream; none of our handlers streams. Loading Node's web
 * streams at import costs every cold start about 3 ms (a tenth of orders-create's init, `npm run bench`).
 * This stand-in answers `instanceof` exactly as the real class does, by asking the global `ReadableStream`
 * (the same class, loaded by Node on first access) only when the check runs. Middy 7 moves the import into its
 * streaming mode but requires Node.js 22, and the project also runs on Node.js 20.
 */
export const ReadableStream = {
  [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  },
};
