import { inject } from 'vitest';
import { localEnvironment } from '../../infra/local/environment.js';
import { installPolyfills } from '../../infra/local/polyfills.js';

// Runs before every test file of every project.
installPolyfills();

// Only the integration project has the global setup that starts the emulators; elsewhere this is undefined.
const localStack = inject('localStack');
if (localStack) Object.assign(process.env, localEnvironment(localStack.endpoints, localStack));
