import { billingNumberingScenarios } from '../scenarios/billing-numbering.js';
import { creditNoteScenarios } from '../scenarios/credit-notes.js';
import { orderScenarios } from '../scenarios/orders.js';
import { paymentScenarios } from '../scenarios/payments.js';
import { runScenarios } from '../scenarios/world.js';
import { useIsolatedTable } from '../support/billing.js';
import { emulatorWorld } from '../support/emulator-world.js';

/*
 * The fast tier's scenarios (test/scenarios), run here on the emulators: the same given/when/then on the
 * DynamoDB, S3 and SES adapters, so both tiers are held to one behaviour.
 */

// Some scenarios run the daily follow-up, which reads every open invoice of its table: a table of their
// own, so it never reminds or suspends the accounts of the files running beside this one.
useIsolatedTable('scenarios');

runScenarios('orders, on the emulators', orderScenarios, emulatorWorld);
runScenarios('billing numbering, on the emulators', billingNumberingScenarios, emulatorWorld);
runScenarios('payments, on the emulators', paymentScenarios, emulatorWorld);
runScenarios('credit notes, on the emulators', creditNoteScenarios, emulatorWorld);
