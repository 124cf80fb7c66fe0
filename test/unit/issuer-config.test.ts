import { describe, expect, it } from 'vitest';
import { LOCAL_INVOICE_SENDER, LOCAL_ISSUER } from '../../infra/local/environment.js';
import { DEMO_ISSUER, parseIssuer } from '../../infra/stacks/billing-config.js';
import { loadBillingConfig } from '../../shared/config/billing.js';

/** The billing functions' environment as the stack (or `npm start`) sets it, with the issuer given. */
const environment = (issuer: unknown) => ({
  ISSUER: JSON.stringify(issuer),
  INVOICE_SENDER: LOCAL_INVOICE_SENDER,
  INVOICE_BUCKET_NAME: 'invoices',
});

describe('an issuer whose identifiers fail their checks is refused before any invoice is issued', () => {
  it.each([
    ['a SIREN whose Luhn key is wrong', { siren: '841234561' }, /siren.*SIREN key does not match \(Luhn\)/s],
    [
      'a French VAT id whose key is wrong',
      { vatId: 'FR82841234560' },
      /vatId.*French VAT key does not match/s,
    ],
    [
      'a VAT id of another SIREN',
      { vatId: 'FR44732829320' },
      /vatId.*must carry the SIREN 841234560 \(expected FR81841234560\)/s,
    ],
    ['a VAT id in no EU format', { vatId: 'DE1234' }, /vatId.*DE format/s],
    ['a legal name with a NUL', { legalName: 'Marketplace\u0000 SAS' }, /legalName.*control character/s],
    [
      'an electronic address whose SIREN is wrong',
      { electronicAddress: { scheme: '0225', id: '841234561' } },
      /electronicAddress\.id.*valid SIREN/s,
    ],
    [
      'an electronic address of an unknown scheme',
      { electronicAddress: { scheme: 'SMTP', id: 'x@y.example' } },
      /electronicAddress\.scheme/s,
    ],
    [
      'an exemption reason without a VATEX code',
      { vatExemptions: { E: { code: 'article 261', reason: 'Exonération' } } },
      /vatExemptions\.E\.code.*VATEX/s,
    ],
  ])(
    '%s: at start-up (loadBillingConfig) naming ISSUER, and at synth (parseIssuer)',
    (_case, change, reason) => {
      const issuer = { ...LOCAL_ISSUER, ...change };
      expect(() => loadBillingConfig(environment(issuer))).toThrow(/ISSUER/);
      expect(() => loadBillingConfig(environment(issuer))).toThrow(reason);
      expect(() => parseIssuer({ ...DEMO_ISSUER, ...change })).toThrow(reason);
    },
  );

  it('accepts the local and demo issuers as shipped', () => {
    expect(loadBillingConfig(environment(LOCAL_ISSUER)).issuer.siren).toBe(LOCAL_ISSUER.siren);
    expect(parseIssuer(DEMO_ISSUER).vatId).toBe(DEMO_ISSUER.vatId);
  });
});
