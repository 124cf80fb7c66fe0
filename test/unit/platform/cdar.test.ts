import { describe, expect, it } from 'vitest';
import { CdarReadError, readCdar, writeCdar } from '../../../shared/adapters/platform/cdar.js';

const DOCUMENT = {
  number: '2026-000123',
  issueDate: '2026-11-30',
  typeCode: '380',
  sellerSiren: '841234560',
};

describe('lifecycle messages (CDAR) are written and read back without losing a cent or a reason', () => {
  it('writes "Encaissée" as the seller to the buyer, the amount received per VAT rate (BR-FR-CDV-14)', () => {
    const xml = writeCdar({
      messageId: 'inv_1-212',
      issuedAt: '2026-12-05T09:30:00.000Z',
      issuer: { siren: '841234560', role: 'SE' },
      recipient: { siren: '356000000', role: 'BY' },
      statuses: [
        {
          status: '212',
          document: DOCUMENT,
          at: '2026-12-04',
          amounts: [
            { amountMinor: 10508, currency: 'EUR', vatRate: 5.5 },
            { amountMinor: 1, currency: 'EUR', vatRate: 20 },
          ],
        },
      ],
    });
    expect(xml).toContain('<ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID>');
    expect(xml).toMatch(
      /<ram:IssuerTradeParty>\s*<ram:GlobalID schemeID="0002">841234560<\/ram:GlobalID>\s*<ram:RoleCode>SE<\/ram:RoleCode>/,
    );
    expect(xml).toContain('<ram:TypeCode>23</ram:TypeCode>');
    expect(xml).toContain('<ram:ProcessConditionCode>212</ram:ProcessConditionCode>');
    expect(xml).toContain('<ram:ProcessCondition>Encaissée</ram:ProcessCondition>');
    expect(xml).toMatch(
      /<ram:TypeCode>MEN<\/ram:TypeCode>\s*<ram:ValuePercent>5.50<\/ram:ValuePercent>\s*<ram:ValueAmount currencyID="EUR">105.08<\/ram:ValueAmount>/,
    );
    expect(xml).toContain('<ram:ValueAmount currencyID="EUR">0.01</ram:ValueAmount>');
    expect(readCdar(xml)).toEqual([
      {
        status: '212',
        document: DOCUMENT,
        at: '2026-12-04',
        amounts: [
          { amountMinor: 10508, currency: 'EUR', vatRate: 5.5 },
          { amountMinor: 1, currency: 'EUR', vatRate: 20 },
        ],
      },
    ]);
  });

  it('reads a refusal with its reasons, text escaped on the way out and back', () => {
    const reasons = [
      { code: 'TX_TVA_ERR', text: 'Taux « faux » & <mauvais>' },
      { text: 'Commande inconnue' },
    ];
    const xml = writeCdar({
      messageId: 'm-2',
      issuedAt: '2026-12-06T08:00:00Z',
      issuer: { siren: '356000000', role: 'BY' },
      recipient: { siren: '841234560', role: 'SE' },
      statuses: [
        { status: '210', document: { ...DOCUMENT, number: 'A&B<1>' }, at: '2026-12-06T08:00:00Z', reasons },
      ],
    });
    expect(xml).toContain('A&amp;B&lt;1&gt;');
    const [status] = readCdar(xml);
    expect(status).toMatchObject({ status: '210', at: '2026-12-06T08:00:00.000Z', reasons });
    expect(status?.document.number).toBe('A&B<1>');
  });

  it('leaves out a status code outside the official list, and refuses what is not a CDAR', () => {
    const xml = writeCdar({
      messageId: 'm-3',
      issuedAt: '2026-12-06T08:00:00Z',
      issuer: { role: 'WK' },
      recipient: { siren: '841234560', role: 'SE' },
      statuses: [{ status: '203', document: DOCUMENT, at: '2026-12-06T08:00:00Z' }],
    });
    expect(readCdar(xml.replace('>203<', '>299<'))).toEqual([]);
    expect(() =>
      readCdar('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'),
    ).toThrow(CdarReadError);
    expect(() => readCdar('not xml at all')).toThrow(CdarReadError);
  });

  it('reads amounts exactly: one with more decimals than its currency has is left out, never rounded', () => {
    const xml = writeCdar({
      messageId: 'm-4',
      issuedAt: '2026-12-06T08:00:00Z',
      issuer: { siren: '841234560', role: 'SE' },
      recipient: { siren: '356000000', role: 'BY' },
      statuses: [
        {
          status: '212',
          document: DOCUMENT,
          at: '2026-12-04',
          amounts: [{ amountMinor: 100, currency: 'EUR', vatRate: 20 }],
        },
      ],
    });
    expect(readCdar(xml.replace('>1.00<', '>1.005<'))[0]?.amounts).toBeUndefined();
    expect(readCdar(xml.replace('>1.00<', '>1.50<'))[0]?.amounts).toEqual([
      { amountMinor: 150, currency: 'EUR', vatRate: 20 },
    ]);
  });

  it('refuses a document with a DTD before parsing it (no entity is ever expanded)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' +
      '<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100">&b;</rsm:CrossDomainAcknowledgementAndResponse>';
    expect(() => readCdar(bomb)).toThrow(CdarReadError);
    expect(() => readCdar('<a><b></a>')).toThrow(CdarReadError);
  });
});
