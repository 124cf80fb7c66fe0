import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkXml, invoiceFacts, wellFormedValidator } from '../../../infra/local/fake-platform-validator.js';
import { aCiiInvoice } from '../../support/platform.js';

const CII_NS = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';

/** A PDF-shaped file whose one stream is the CII, compressed as pdfkit writes embedded files. */
const facturX = (xml: string) =>
  Buffer.concat([
    Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode >>\nstream\n'),
    deflateSync(Buffer.from(xml)),
    Buffer.from('\nendstream\nendobj\n%%EOF\n'),
  ]);

describe("the fake platform's own checks (when no EN 16931 validator is wired in)", () => {
  it('accepts a well-formed CII, UBL and Factur-X, and reads the facts it shows', async () => {
    const { number, xml } = aCiiInvoice({ due: '817.63' });
    expect(await wellFormedValidator(Buffer.from(xml), 'CII')).toEqual({ ok: true, failures: [] });
    expect(await wellFormedValidator(facturX(xml), 'Factur-X')).toEqual({ ok: true, failures: [] });
    const ubl =
      '<?xml version="1.0"?><CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"><ID>A</ID></CreditNote>';
    expect(await wellFormedValidator(Buffer.from(ubl), 'UBL')).toEqual({ ok: true, failures: [] });
    expect(invoiceFacts(facturX(xml), 'Factur-X')).toEqual({
      number,
      typeCode: '380',
      issueDate: '2026-11-30',
      sellerSiren: '841234560',
      buyerSiren: '356000000',
      total: '817.63',
      currency: 'EUR',
    });
  });

  it.each([
    ['a tag closed by another', `<a xmlns="${CII_NS}"><b></a>`, /<\/a> closes <b>/],
    ['an element never closed', `<a xmlns="${CII_NS}"><b>`, /<b> is never closed/],
    ['an undefined entity', `<a xmlns="${CII_NS}">&nbsp;</a>`, /undefined entity/],
    ['a DOCTYPE (entity expansion, XXE)', `<!DOCTYPE a [<!ENTITY x "y">]><a xmlns="${CII_NS}"/>`, /DOCTYPE/],
    ['two roots', `<a xmlns="${CII_NS}"/><a/>`, /second root/],
    ['text after the root', `<a xmlns="${CII_NS}"/>tail`, /text outside the root/],
  ])('refuses XML that is not well-formed: %s', async (_case, xml, reason) => {
    const verdict = await wellFormedValidator(Buffer.from(xml), 'CII');
    expect(verdict.ok).toBe(false);
    expect(verdict.failures[0]).toMatch(reason);
  });

  it('refuses a document whose root is not the one its syntax declares, and a Factur-X without its XML', async () => {
    const ubl = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>';
    expect((await wellFormedValidator(Buffer.from(ubl), 'CII')).failures).toEqual([
      expect.stringMatching(
        /root is CrossIndustryInvoice in .*CrossIndustryInvoice:100, not Invoice in .*Invoice-2/,
      ),
    ]);
    expect((await wellFormedValidator(Buffer.from('%PDF-1.7\n%%EOF'), 'Factur-X')).failures).toEqual([
      'FX-XML: the PDF embeds no CII invoice (factur-x.xml)',
    ]);
    expect((await wellFormedValidator(Buffer.from(aCiiInvoice().xml), 'Factur-X')).failures).toEqual([
      'FX-PDF: a Factur-X file is a PDF',
    ]);
  });

  it('names the root element and its namespace, prefixed or not', () => {
    expect(checkXml(aCiiInvoice().xml)).toEqual({
      root: { localName: 'CrossIndustryInvoice', prefix: 'rsm', namespace: CII_NS },
    });
    expect(checkXml('<!-- c --><x a=\'1\' b="&amp;"><![CDATA[<not a tag>]]></x>')).toEqual({
      root: { localName: 'x' },
    });
  });
});
