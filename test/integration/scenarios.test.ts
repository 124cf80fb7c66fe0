import { billingNumberingScenarios } from '../scenarios/billing-numbering.js';
import { orderScenarios } from '../scenarios/orders.js';
import { runScenarios } from '../scenarios/world.js';
import { useIsolatedTable } from '../support/billing.js';
import { emulatorWorld } from '../support/emulator-world.js';

// The scenarios' daily follow-up reads every open invoice of its table: a table of their own, so it never
// reminds or suspends the accounts of the files running beside this one.
useIsolatedTable('scenarios');

runScenarios('orders, on the emulators', orderScenarios, emulatorWorld);
runScenarios('billing numbering, on the emulators', billingNumberingScenarios, emulatorWorld);
