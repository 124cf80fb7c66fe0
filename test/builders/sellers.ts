/**
 * Sellers (`POST /v1/sellers` bodies): a builder and the three registered sets, the one per place data
 * lives: the test tables', the local demo's (`npm start`, `npm run demo`, the intake bench) and the
 * README sample invoice's. Fictitious companies; every SIREN and VAT id given passes its checks.
 */
import type { CreateSellerInput } from '../../shared/contracts/schemas/seller.js';
import { uniqueTag } from './unique.js';

/** A seller id no other test uses. */
export const aSellerId = (): string => `seller-${uniqueTag(12)}`;

/** A seller with a fresh id of its own and a legal name; identifiers only when asked for. */
export function aSeller(overrides: Partial<CreateSellerInput> = {}): CreateSellerInput {
  return { sellerId: aSellerId(), legalName: 'Les Moulins de Brie SARL', ...overrides };
}

/**
 * Sellers registered in every test table (global setup, `useIsolatedTable`): the ones `aLine` and `anOrder`
 * name. Order intake refuses a line whose seller is not registered.
 */
export const TEST_SELLERS = [
  { sellerId: 'seller-1', legalName: 'Vendeur Un SARL', siren: '732829320', vatId: 'FR44732829320' },
  { sellerId: 'seller-2', legalName: 'Vendeur Deux SAS' },
] as const satisfies readonly CreateSellerInput[];

/**
 * The sellers of the local demo: the ids its storefront names on order lines (`npm start`'s example order,
 * `npm run demo`, the intake bench) with the legal names invoices print. The SIRENs and VAT ids are
 * well-formed (Luhn key, VAT key) and belong to nobody. `npm start` and `npm run demo` register them
 * through the API before any order names them.
 */
export const DEMO_SELLERS: readonly CreateSellerInput[] = [
  {
    sellerId: 'seller-moulins-de-brie',
    legalName: 'Les Moulins de Brie SARL',
    siren: '412345670',
    vatId: 'FR96412345670',
  },
  {
    sellerId: 'seller-textiles-pro',
    legalName: 'Textiles Pro SAS',
    siren: '512345679',
    vatId: 'FR75512345679',
  },
  { sellerId: 'seller-laiterie-surgeres', legalName: 'Laiterie de Surgères SCA' },
  { sellerId: 'seller-emballages-pro', legalName: 'Emballages Pro SARL' },
  { sellerId: 'seller-presse-metiers', legalName: 'Presse des Métiers SAS' },
  { sellerId: 'seller-equip-fournil', legalName: 'Équipements du Fournil SARL' },
  { sellerId: 'seller-outils-lyon', legalName: 'Outillage Lyonnais SAS' },
  { sellerId: 'seller-librairie-tech', legalName: 'Librairie Technique Saint-Jean SARL' },
  { sellerId: 'seller-scierie-rhone', legalName: 'Scierie du Rhône SAS' },
  { sellerId: 'seller-traiteur-saone', legalName: 'Traiteur des Bords de Saône SARL' },
  { sellerId: 'seller-studios-bordeaux', legalName: 'Studios de Bordeaux SAS' },
  { sellerId: 'seller-retouche-pro', legalName: 'Retouche Pro EURL' },
  { sellerId: 'seller-hotels-gironde', legalName: 'Hôtels de Gironde SA' },
  { sellerId: 'seller-traiteur-chartrons', legalName: 'Traiteur des Chartrons SARL' },
  { sellerId: 'seller-transports-gironde', legalName: 'Transports Girondins SAS' },
  { sellerId: 'seller-torrefaction-alsace', legalName: 'Torréfaction d’Alsace SARL' },
  { sellerId: 'seller-domaine-vosges', legalName: 'Domaine des Contreforts Vosgiens EARL' },
  { sellerId: 'seller-presse-est', legalName: 'Presse Régionale de l’Est SA' },
  { sellerId: 'seller-boulangerie-halles', legalName: 'Boulangerie des Halles SARL' },
];

/** The README sample invoice's sellers (its catalogue's): the legal names its "Vendeur" column prints. */
export const SAMPLE_SELLERS: readonly CreateSellerInput[] = [
  { sellerId: 'seller-moulins-de-brie', legalName: 'Les Moulins de Brie SARL' },
  { sellerId: 'seller-laiterie-du-marais', legalName: 'Laiterie du Marais SCA' },
  { sellerId: 'seller-textiles-pro', legalName: 'Textiles Pro SAS' },
  { sellerId: 'seller-emballages-leroux', legalName: 'Emballages Leroux et Fils SARL' },
  { sellerId: 'seller-kiosque-services', legalName: 'Kiosque Services SAS' },
  { sellerId: 'seller-salines-atlantique', legalName: "Salines de l'Atlantique SA" },
  { sellerId: 'seller-equip-fournil', legalName: 'Équipements du Fournil SARL' },
];
