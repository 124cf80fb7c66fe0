/**
 * VAT rates (percent) an order line may carry: the issuer's country's. Metropolitan France: 20, 10, 5.5,
 * 2.1 and 0 (CGI art. 278 ff.); Guadeloupe, Martinique and La Réunion add 8.5, 1.75 and 1.05 (CGI art. 296
 * ff.), their 2.1 being already in the list.
 */
export const FRANCE_VAT_RATES: readonly number[] = [20, 10, 5.5, 2.1, 0];
export const FRANCE_OVERSEAS_VAT_RATES: readonly number[] = [8.5, 2.1, 1.75, 1.05];
