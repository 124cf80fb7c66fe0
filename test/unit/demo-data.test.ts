import { describe, expect, it } from 'vitest';
import { LOCAL_ISSUER } from '../../infra/local/environment.js';
import { DEMO_ISSUER } from '../../infra/stacks/billing-config.js';
import { createAccountSchema } from '../../shared/contracts/schemas/account.js';
import { issuerSchema } from '../../shared/contracts/schemas/invoice.js';
import {
  channelIncludesEmail,
  channelIncludesPlatform,
  defaultInvoiceChannel,
  invoiceChannelOf,
} from '../../shared/core/domain/einvoice-channel.js';
import { anAccount, DEMO_ACCOUNTS } from '../builders/accounts.js';
import { anInvoice, invoiceFigures } from '../builders/invoices.js';
import { sampleInvoice } from '../builders/sample-invoice.js';

const fixtureInvoice = () => anInvoice(invoiceFigures([]));

/** Zod's reasons, field by field, or [] when the value passes. */
const problemsOf = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

describe('demo and sample data carry identifiers that pass the checks', () => {
  it.each([
    ['the local issuer (npm start)', LOCAL_ISSUER],
    ['the demo issuer (cdk synth default)', DEMO_ISSUER],
    ["the README sample invoice's issuer", sampleInvoice().issuer],
    ["the unit fixtures' issuer", fixtureInvoice().issuer],
  ])('%s passes the issuer schema', (_name, issuer) => {
    expect(problemsOf(issuerSchema.safeParse(issuer))).toEqual([]);
  });

  it.each([
    ...DEMO_ACCOUNTS.map((account) => [`demo account ${account.legalName}`, account] as const),
    ['the test fixture account', anAccount()] as const,
  ])('%s passes the account schema', (_name, account) => {
    expect(problemsOf(createAccountSchema.safeParse(account))).toEqual([]);
  });

  it.each([
    ["the README sample invoice's buyer", sampleInvoice().buyer],
    ["the unit fixtures' buyer", fixtureInvoice().buyer],
  ])('%s has identifiers that pass and agree', (_name, buyer) => {
    const identifiers = { siren: buyer.siren, vatId: buyer.vatId };
    expect(problemsOf(createAccountSchema.safeParse({ ...anAccount(), ...identifiers }))).toEqual([]);
  });

  it("no buyer shares the issuer's SIREN or VAT id", () => {
    const issuers = [LOCAL_ISSUER, DEMO_ISSUER];
    const buyers = [...DEMO_ACCOUNTS, anAccount(), sampleInvoice().buyer, fixtureInvoice().buyer];
    for (const issuer of issuers) {
      for (const buyer of buyers) {
        expect(buyer.siren).not.toBe(issuer.siren);
        expect(buyer.vatId).not.toBe(issuer.vatId);
      }
    }
    expect(sampleInvoice().buyer.siren).not.toBe(sampleInvoice().issuer.siren);
    expect(fixtureInvoice().buyer.siren).not.toBe(fixtureInvoice().issuer.siren);
  });
});

describe('the demo buyers travel as real ones would', () => {
  it('sends a French buyer with a SIREN through the approved platform, a foreign one by email', () => {
    for (const account of DEMO_ACCOUNTS) {
      const channel = invoiceChannelOf(account);
      expect([account.legalName, channelIncludesPlatform(channel)]).toEqual([
        account.legalName,
        defaultInvoiceChannel(account) === 'platform',
      ]);
    }
  });

  it('still emails some of them, so the local mailbox shows invoices', () => {
    expect(DEMO_ACCOUNTS.some((account) => channelIncludesEmail(invoiceChannelOf(account)))).toBe(true);
  });
});
