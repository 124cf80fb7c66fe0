import { afterAll, inject } from 'vitest';
import { localEnvironment } from '../../infra/local/environment.js';
import { installPolyfills } from '../../infra/local/polyfills.js';

// Runs before every test file of every project.
installPolyfills();

// Only the integration project has the global setup that starts the emulators; elsewhere this is undefined.
const localStack = inject('localStack');
if (localStack) {
  // Each test file gets its own Step Functions endpoint: executions an API handler starts run in this worker,
  // with this worker's environment, and are stopped (and waited for) when the file is done.
  const { startTestSfnEndpoint } = await import('./billing.js');
  const sfn = await startTestSfnEndpoint();
  afterAll(() => sfn.stop());
  Object.assign(process.env, localEnvironment({ ...localStack.endpoints, sfn: sfn.endpoint }, localStack));
}
