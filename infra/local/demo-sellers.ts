/**
 * The sellers of the local demo: the ids its storefront names on order lines (`npm start`'s example order,
 * `npm run demo`, the intake bench) with the legal names invoices print. Fictitious companies; the SIRENs
 * and VAT ids are well-formed (Luhn key, VAT key) and belong to nobody. Order intake refuses a line whose
 * seller is not registered, so `npm start` and `npm run demo` register these through the API first.
 */
import type { CreateSellerInput } from '../../shared/contracts/schemas/seller.js';

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

/**
 * Registers the demo sellers with `POST /v1/sellers`; one already registered (409, a restart) is left as it
 * is. `post` sends one body as the operator and answers the status.
 */
export async function registerDemoSellers(
  post: (seller: CreateSellerInput) => Promise<{ status: number; body: unknown }>,
): Promise<void> {
  for (const seller of DEMO_SELLERS) {
    const answer = await post(seller);
    if (answer.status !== 201 && answer.status !== 409) {
      throw new Error(
        `POST /v1/sellers ${seller.sellerId} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
  }
}
