import * as z from 'zod/mini';
import '../zod-locale.js';
import {
  type CompanyIdentifiers,
  electronicAddressProblems,
  identifierConflicts,
  sirenProblem,
  siretProblem,
  vatIdProblem,
} from '../../core/domain/identifiers.js';

/* A company's legal identifiers (accounts, sellers, the issuer), over the rules of core/domain/identifiers.ts. */

/** A zod check from one of the identifier rules (shared/core/domain/identifiers.ts). */
const identifierCheck = (problemOf: (value: string) => string | undefined) =>
  z.string().check(
    z.superRefine((value, context) => {
      const problem = problemOf(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  );

/** French SIREN: 9 digits whose last is a Luhn key. */
export const sirenSchema = identifierCheck(sirenProblem).register(z.globalRegistry, {
  description: 'SIREN: 9 digits, the last a Luhn key.',
  example: '732829320',
});

/** French SIRET (an establishment): the SIREN, 4 digits and a Luhn key (La Poste: digit sum multiple of 5). */
export const siretSchema = identifierCheck(siretProblem).register(z.globalRegistry, {
  description:
    "SIRET: 14 digits, the SIREN first, the last a Luhn key (La Poste's: digit sum a multiple of 5).",
  example: '73282932000074',
});

/** EU VAT id in the national format of its prefix (EL for Greece, XI for Northern Ireland); French keys checked. */
export const vatIdSchema = identifierCheck(vatIdProblem).register(z.globalRegistry, {
  description:
    'EU VAT id, prefix and national number without spaces, in the format of its member state (EL for Greece, XI for Northern Ireland). A French one is FR + the key computed from the SIREN + the SIREN.',
  example: 'FR44732829320',
});

/**
 * Reports each disagreement between identifiers given together (a SIRET not of the SIREN, a French VAT id
 * carrying another SIREN) on the field at fault. Each identifier alone is checked by its own schema.
 */
export function refineIdentifiers(ids: CompanyIdentifiers, context: z.core.$RefinementCtx): void {
  for (const conflict of identifierConflicts(ids)) {
    context.addIssue({ code: 'custom', path: [conflict.field], message: conflict.reason });
  }
}

/**
 * An electronic address (EN 16931 BT-34 / BT-49): where approved platforms deliver a document. Its shape;
 * whether scheme and id are good is `electronicAddressProblems` (an account's are judged by the use case,
 * 422 naming the field; the issuer's by `checkedElectronicAddressSchema`).
 */
export const electronicAddressSchema = z
  .strictObject({
    scheme: z.string().check(z.maxLength(4)).register(z.globalRegistry, {
      description:
        'CEF EAS scheme: 0225 (French directory: a SIREN, optionally _suffix), 0002 (SIREN), 0009 (SIRET), EM (email), or another 4-digit ISO 6523 ICD code.',
      example: '0225',
    }),
    id: z.string().check(z.maxLength(125)).register(z.globalRegistry, { example: '732829320' }),
  })
  .register(z.globalRegistry, { id: 'ElectronicAddress' });

/** An electronic address whose scheme and id are checked here (configuration: the issuer's). */
export const checkedElectronicAddressSchema = z.strictObject(electronicAddressSchema.shape).check(
  z.superRefine((address, context) => {
    for (const problem of electronicAddressProblems(address)) {
      context.addIssue({ code: 'custom', path: [problem.field], message: problem.reason });
    }
  }),
);
