/**
 * VAT categories (UNTDID 5305, EN 16931 BT-151 / BT-118) an order line may carry, beside its rate:
 * S standard rate, Z zero rated, E exempt (an article of the tax code says why), AE reverse charge
 * (autoliquidation: the buyer accounts for the VAT), K intra-community supply of goods (exempt, the buyer's
 * VAT id of another member state is required). Only S bears VAT; the others are at 0 %.
 */
export const VAT_CATEGORIES = ['S', 'Z', 'E', 'AE', 'K'] as const;
export type VatCategory = (typeof VAT_CATEGORIES)[number];

/**
 * The category of a line or breakdown entry that names none: S above 0 %, Z at 0 %. Orders and documents
 * recorded before categories existed read this way, and so does an order line sent without one.
 */
export function defaultVatCategory(vatRate: number): VatCategory {
  return vatRate > 0 ? 'S' : 'Z';
}

/** Why a category and a rate contradict each other, or undefined: S needs a rate above 0, the others 0. */
export function vatCategoryRateProblem(category: VatCategory, vatRate: number): string | undefined {
  if (category === 'S')
    return vatRate > 0 ? undefined : 'category S (standard rate) needs a VAT rate above 0';
  return vatRate === 0 ? undefined : `category ${category} bears no VAT: its VAT rate must be 0`;
}

/**
 * Why a buyer may not receive a line of this category, or undefined. AE (reverse charge) needs the buyer's
 * VAT id (the buyer pays the VAT). K (intra-community supply) needs an EU VAT id of another member state
 * than the issuer's: a buyer without one, or one of the issuer's own country, is no intra-community buyer.
 */
export function vatCategoryBuyerProblem(
  category: VatCategory,
  buyer: { vatId?: string | undefined },
  issuerCountry: string,
): string | undefined {
  if (category === 'AE' && !buyer.vatId) return 'category AE (reverse charge) needs a buyer with a VAT id';
  if (category !== 'K') return undefined;
  if (!buyer.vatId) return 'category K (intra-community supply) needs a buyer with an EU VAT id';
  if (buyer.vatId.startsWith(issuerCountry)) {
    return `category K (intra-community supply) needs a buyer VAT id of another member state than ${issuerCountry}`;
  }
  return undefined;
}

/** Breakdown order: highest rate first, then S, Z, E, AE, K. */
export function compareCategoryRate(
  a: { category: VatCategory; basisPoints: number },
  b: { category: VatCategory; basisPoints: number },
): number {
  return (
    b.basisPoints - a.basisPoints || VAT_CATEGORIES.indexOf(a.category) - VAT_CATEGORIES.indexOf(b.category)
  );
}
