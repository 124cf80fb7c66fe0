import { orderScenarios } from '../scenarios/orders.js';
import { runScenarios } from '../scenarios/world.js';
import { memoryWorld } from '../support/memory/world.js';

runScenarios('orders, on in-memory adapters', orderScenarios, memoryWorld);
