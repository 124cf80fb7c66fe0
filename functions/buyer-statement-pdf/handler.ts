import { buyerStatementDeps, inContainer } from '../../shared/composition/root.js';
import { BUYER_STATEMENT_PDF_ROUTES } from '../../shared/contracts/http/routes/buyer.js';
import { buyerStatementPdf } from '../../shared/core/usecases/buyer-statement-pdf.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(buyerStatementDeps);

/** The buyer's statement of account as a PDF (French or English). */
export const handler = apiHandler(BUYER_STATEMENT_PDF_ROUTES, {
  getBuyerStatementPdf: async ({ principal, pathParameters, query }) => {
    const accountId = pathParameters.accountId as string;
    const { statement, pdf } = await buyerStatementPdf(services(), principal, accountId, query.language);
    return {
      bytes: pdf,
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="statement-${statement.asOf}.pdf"`,
      },
    };
  },
});
