import type { Statement } from '../../contracts/schemas/buyer-api.js';
import { renderStatementPdf } from '../../documents/pdf/statement.js';
import type { Principal } from '../domain/api-keys.js';
import { type StatementDeps, statementOf } from './buyer.js';

/*
 * The statement as a PDF, apart from the buyer's reads: only its function bundles the PDF kit and fonts.
 */

/** The statement as a PDF in the buyer's chosen language (French or English), with its figures. */
export async function buyerStatementPdf(
  deps: StatementDeps,
  principal: Principal,
  accountId: string,
  language: 'fr' | 'en',
): Promise<{ statement: Statement; pdf: Buffer }> {
  const { statement, account } = await statementOf(deps, principal, accountId);
  const { latePenalty: _penalty, ...issuer } = deps.issuer;
  const pdf = await renderStatementPdf(
    statement,
    issuer,
    { legalName: account.legalName, billingAddress: account.billingAddress },
    language,
  );
  return { statement, pdf };
}
