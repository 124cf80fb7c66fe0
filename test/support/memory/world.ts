import { TEST_SELLERS } from '../../builders/sellers.js';
import { SCENE_RECEIVABLES, type Scene, type World } from '../../scenarios/world.js';
import { aBillingConfig } from '../billing-steps.js';
import { TestClock } from '../given.js';
import { figuresOf } from '../receivables.js';
import { type MemoryFamilies, memoryFamilies } from './families.js';
import { MemoryStore } from './store.js';

/** A scene on a new empty store, and that store and its families for a test to look into. */
export type MemoryScene = Scene & { store: MemoryStore; families: MemoryFamilies };

/**
 * The fast tier's world: each scene is a new empty store (so nothing of another scenario is seen), with the
 * test sellers registered as the emulators' tables have them.
 */
export const memoryWorld: World = { scene: memoryScene };

export async function memoryScene(start: string): Promise<MemoryScene> {
  const clock = new TestClock(new Date(start));
  const store = new MemoryStore();
  const families = memoryFamilies(clock, store);
  const createdAt = '2026-01-01T00:00:00.000Z';
  for (const seller of TEST_SELLERS)
    store.sellers.set(seller.sellerId, { ...seller, createdAt, updatedAt: createdAt });
  const billingConfig = aBillingConfig();
  const entityId = billingConfig.issuer.entityId;
  return {
    store,
    families,
    clock,
    intake: families.intakeDeps(),
    billing: families.billingStepDeps(billingConfig),
    payments: families.paymentDeps(),
    creditNotes: families.creditNoteDeps(),
    creditNoteDelivery: families.creditNoteDeliveryDeps(billingConfig),
    receivables: families.receivablesDeps(SCENE_RECEIVABLES),
    async issuedNumbers(year) {
      const last = store.invoiceCounters.get(`${entityId}#${year}`) ?? 0;
      return Array.from({ length: last }, (_, index) => {
        const number = `${year}-${String(index + 1).padStart(6, '0')}`;
        if (!store.invoiceNumbers.has(`${entityId}#${number}`)) {
          throw new Error(`Gap in ${entityId} ${year}: ${number} was never issued (last is ${last})`);
        }
        return number;
      });
    },
    async figures(accountId) {
      const account = store.account(accountId)?.record;
      if (!account) throw new Error(`No account ${accountId}`);
      return figuresOf({
        account,
        orders: [...store.orders.values()].filter((order) => order.accountId === accountId),
        invoices: [...store.invoices.values()]
          .map(({ record }) => record)
          .filter((invoice) => invoice.accountId === accountId),
        ledger: store.ledger.filter((entry) => entry.accountId === accountId),
      });
    },
    async emailsTo(address, about) {
      return store.mailbox.filter((email) => email.to.includes(address) && email.subject.includes(about))
        .length;
    },
  };
}
