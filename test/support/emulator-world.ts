import {
  creditNoteDeliveryDeps,
  creditNoteDeps,
  paymentDeps,
  receivablesDeps,
} from '../../shared/composition/root.js';
import { SCENE_RECEIVABLES, type Scene, type World } from '../scenarios/world.js';
import { assertGaplessNumbers, givenBillingDeps, mailboxSince } from './billing-steps.js';
import { givenServices, TestClock } from './given.js';
import { recomputeAccountFigures } from './receivables.js';

/**
 * The integration tier's world: the composition root's families on the emulators the global setup started
 * (`givenServices`, `baseFor`). A scene is fresh by its ids: new storefronts and accounts, an issuer of its
 * own (its own invoice and credit-note sequences), the emails of its own buyers.
 */
export const emulatorWorld: World = {
  async scene(start: string): Promise<Scene> {
    const clock = new TestClock(new Date(start));
    const services = givenServices(clock);
    const billing = givenBillingDeps(services);
    const began = new Date();
    return {
      clock,
      intake: services,
      billing,
      payments: paymentDeps(services.base),
      creditNotes: creditNoteDeps(services.base),
      creditNoteDelivery: creditNoteDeliveryDeps(services.base, billing.config),
      receivables: receivablesDeps(services.base, SCENE_RECEIVABLES),
      issuedNumbers: (year) => assertGaplessNumbers(billing.config.issuer.entityId, year),
      figures: (accountId) => recomputeAccountFigures(services, accountId),
      async emailsTo(address, about) {
        const emails = await mailboxSince(began);
        return emails.filter(
          (email) => email.destination.to.includes(address) && email.subject.includes(about),
        ).length;
      },
    };
  },
};
