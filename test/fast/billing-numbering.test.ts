import { billingNumberingScenarios } from '../scenarios/billing-numbering.js';
import { runScenarios } from '../scenarios/world.js';
import { memoryWorld } from '../support/memory/world.js';

runScenarios('billing numbering, on in-memory adapters', billingNumberingScenarios, memoryWorld);
