import { creditNoteScenarios } from '../scenarios/credit-notes.js';
import { runScenarios } from '../scenarios/world.js';
import { memoryWorld } from '../support/memory/world.js';

runScenarios('credit notes, on in-memory adapters', creditNoteScenarios, memoryWorld);
