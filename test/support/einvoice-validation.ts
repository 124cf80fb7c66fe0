/**
 * The official e-invoice validator (schemas, CEN EN 16931 and Factur-X 1.09 rules, run by xmllint and
 * Saxon over the artefacts vendored in test/einvoicing/). It lives in infra/local/einvoice-validator.ts, so
 * that the fake platform of `npm start` validates with it too; the tests import it from here.
 */
export {
  extractFacturX,
  officialFlowValidator,
  type Verdict,
  validateEInvoices,
  validatorMissing,
} from '../../infra/local/einvoice-validator.js';
