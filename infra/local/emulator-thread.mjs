/**
 * The S3 and SES emulators (s3rver, aws-ses-v2-local) in a worker thread of the local stack's process.
 *
 * Both are HTTP servers written in JavaScript: in the main thread they would share one event loop, and
 * one core, with the API adapter, the state machine and every handler they serve; here they answer on
 * their own thread (their own core when the machine has one), and stop with the process that owns them.
 * Plain JavaScript, because a worker thread does not inherit the TypeScript loader of its parent
 * (`tsx`, vitest). Started and stopped by `startObjectAndMailEmulators` in emulators.ts.
 *
 * workerData: { s3: { port, directory, buckets }, ses: { port } }. Posts { type: 'ready', s3, ses } with
 * both endpoints, or { type: 'failed', message }; on the message 'stop', closes both servers and posts
 * { type: 'stopped' }.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

// Both packages are CommonJS.
const require = createRequire(import.meta.url);

/** s3rver on 127.0.0.1, objects in `directory`, the given buckets created. */
async function startS3({ port, directory, buckets }) {
  const S3rver = require('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

/** aws-ses-v2-local on 127.0.0.1, mail kept in this thread's memory. */
async function startSes({ port }) {
  const ses = require('aws-ses-v2-local');
  const server = await ses.default({ host: '127.0.0.1', port });
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const started = await Promise.allSettled([startS3(workerData.s3), startSes(workerData.ses)]);
const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
const stopAll = () => Promise.allSettled(running.map((emulator) => emulator.stop()));

parentPort.on('message', async (message) => {
  if (message !== 'stop') return;
  await stopAll();
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});

const failure = started.find((result) => result.status === 'rejected');
if (failure) {
  await stopAll();
  parentPort.postMessage({ type: 'failed', message: String(failure.reason?.stack ?? failure.reason) });
  parentPort.close();
} else {
  const [s3, ses] = running;
  parentPort.postMessage({ type: 'ready', s3: s3.endpoint, ses: ses.endpoint });
}
