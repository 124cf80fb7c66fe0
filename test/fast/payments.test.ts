import { paymentScenarios } from '../scenarios/payments.js';
import { runScenarios } from '../scenarios/world.js';
import { memoryWorld } from '../support/memory/world.js';

runScenarios('payments, on in-memory adapters', paymentScenarios, memoryWorld);
