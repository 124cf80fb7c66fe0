/**
 * Factur-X: the CII XML (EN 16931 profile) embedded in our PDF/A-3 documents as `factur-x.xml`, with
 * AFRelationship `Alternative` and MIME type `text/xml`, listed in the catalog's /AF array and its
 * EmbeddedFiles name tree, and described in the XMP metadata by the `fx` block and its PDF/A extension
 * schema (Factur-X 1.09: DocumentType INVOICE, DocumentFileName factur-x.xml, Version 1.0,
 * ConformanceLevel EN 16931).
 *
 * The XML of an invoice is written while its orders stream, deflated as it grows and embedded already
 * compressed: memory stays flat for 10,000 orders (pdfkit's own `doc.file()` wants the whole file in
 * memory, so the two objects it would write are written here the same way). The output is deterministic:
 * same document, same bytes.
 */
import { createHash } from 'node:crypto';
import { createDeflate, type Deflate, deflateSync } from 'node:zlib';
import { CiiWriter } from '../einvoice/cii.js';
import type { EInvoiceHeader, EInvoiceLine } from '../einvoice/model.js';

/**
 * How the embedded XML is deflated: zlib level 3 (its fastest strategy, no lazy matching). An invoice's
 * CII repeats itself line after line: level 3 deflates a 60-line one (77 kB) to 4.9 kB in about a third of
 * the time level 6 (zlib's default) takes for 4.1 kB, and the XML is the largest stream of the PDF.
 */
const DEFLATE = { level: 3 } as const;

/** The embedded file's name, fixed by Factur-X. */
export const FACTUR_X_FILE_NAME = 'factur-x.xml';

/** The XMP `fx` block and the PDF/A extension schema that describes it (Factur-X 1.09, unchanged). */
const FACTUR_X_XMP = `
        <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
            <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
            <fx:DocumentFileName>${FACTUR_X_FILE_NAME}</fx:DocumentFileName>
            <fx:DocumentType>INVOICE</fx:DocumentType>
            <fx:Version>1.0</fx:Version>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
            <pdfaExtension:schemas>
                <rdf:Bag>
                    <rdf:li rdf:parseType="Resource">
                        <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                        <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
                        <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                        <pdfaSchema:property>
                            <rdf:Seq>
                                <rdf:li rdf:parseType="Resource">
                                    <pdfaProperty:name>DocumentFileName</pdfaProperty:name>
                                    <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                                    <pdfaProperty:category>external</pdfaProperty:category>
                                    <pdfaProperty:description>name of the embedded XML invoice file</pdfaProperty:description>
                                </rdf:li>
                                <rdf:li rdf:parseType="Resource">
                                    <pdfaProperty:name>DocumentType</pdfaProperty:name>
                                    <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                                    <pdfaProperty:category>external</pdfaProperty:category>
                                    <pdfaProperty:description>INVOICE</pdfaProperty:description>
                                </rdf:li>
                                <rdf:li rdf:parseType="Resource">
                                    <pdfaProperty:name>Version</pdfaProperty:name>
                                    <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                                    <pdfaProperty:category>external</pdfaProperty:category>
                                    <pdfaProperty:description>The actual version of the Factur-X XML schema</pdfaProperty:description>
                                </rdf:li>
                                <rdf:li rdf:parseType="Resource">
                                    <pdfaProperty:name>ConformanceLevel</pdfaProperty:name>
                                    <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                                    <pdfaProperty:category>external</pdfaProperty:category>
                                    <pdfaProperty:description>The conformance level of the embedded Factur-X data</pdfaProperty:description>
                                </rdf:li>
                            </rdf:Seq>
                        </pdfaSchema:property>
                    </rdf:li>
                </rdf:Bag>
            </pdfaExtension:schemas>
        </rdf:Description>
        `;

/**
 * The document catalog pdfkit keeps: its /AF array (PDF/A-3 "associated files") has no public setter,
 * so it is reached as pdfkit's own `file()` reaches it.
 */
interface PdfKitCatalog {
  _root: { data: { AF?: PDFKit.PDFKitReference[] } };
}

/** What the embedded file is: its compressed bytes, and the size and MD5 of what they inflate to. */
interface EmbeddedXml {
  compressed: Buffer[];
  size: number;
  md5: string;
}

/** Adds the embedded file's objects and the `fx` metadata to `doc` (before `doc.end()`). */
function embed(doc: PDFKit.PDFDocument, xml: EmbeddedXml, issueDate: string): void {
  const date = new Date(`${issueDate}T00:00:00.000Z`);
  const file = doc.ref({
    Type: 'EmbeddedFile',
    Subtype: 'text#2Fxml',
    Filter: 'FlateDecode',
    Params: { ModDate: date, CheckSum: new String(xml.md5), Size: xml.size },
  });
  for (const chunk of xml.compressed) file.write(chunk);
  file.end(undefined);
  const name = new String(FACTUR_X_FILE_NAME);
  const spec = doc.ref({
    Type: 'Filespec',
    F: name,
    UF: name,
    EF: { F: file, UF: file },
    Desc: new String('Factur-X invoice (EN 16931)'),
    AFRelationship: 'Alternative',
  });
  spec.end(undefined);
  doc.addNamedEmbeddedFile(FACTUR_X_FILE_NAME, spec);
  const catalog = (doc as unknown as PdfKitCatalog)._root.data;
  catalog.AF = [...(catalog.AF ?? []), spec];
  doc.appendXML(FACTUR_X_XMP);
}

/** Embeds a whole, small document's CII at once (a credit note). */
export function embedFacturX(
  doc: PDFKit.PDFDocument,
  header: EInvoiceHeader,
  lines: Iterable<EInvoiceLine>,
): void {
  const chunks: string[] = [];
  const writer = new CiiWriter(header, (chunk) => chunks.push(chunk));
  writer.begin();
  for (const line of lines) writer.line(line);
  writer.end();
  const raw = Buffer.from(chunks.join(''), 'utf8');
  embed(
    doc,
    {
      compressed: [deflateSync(raw, DEFLATE)],
      size: raw.length,
      md5: createHash('md5').update(raw).digest('hex'),
    },
    header.issueDate,
  );
}

/**
 * Below this size (in bytes) the XML is kept and deflated at once at the end (a 20-order invoice's 80 kB
 * take 0.2 ms, where a zlib stream's thread-pool hops cost about a millisecond); above it, it goes through
 * a zlib stream in pieces of about this size, so a 10,000-order invoice never holds its XML.
 */
const STREAM_FROM = 512 * 1024;

/** The text buffer's first size: a 20-order invoice's CII (about 80 kB) fits without growing. */
const FIRST_BUFFER = 128 * 1024;

/**
 * The CII of a document whose lines stream (an invoice): `begin()`, `lines()` as each order arrives,
 * then `finish()` before `doc.end()`. Only the compressed bytes are kept (a few percent of the XML), and
 * at most about `STREAM_FROM` bytes of text. The text is encoded into one buffer as it is written (not
 * kept as strings and joined at the end): one copy of the XML instead of three.
 */
export class StreamingFacturX {
  private deflater: { stream: Deflate; done: Promise<void> } | undefined;
  private readonly compressed: Buffer[] = [];
  private readonly md5 = createHash('md5');
  private readonly writer: CiiWriter;
  /** The UTF-8 text not yet deflated: `used` bytes of `text`. */
  private text = Buffer.allocUnsafe(FIRST_BUFFER);
  private used = 0;
  private size = 0;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly header: EInvoiceHeader,
  ) {
    this.writer = new CiiWriter(header, (chunk) => this.write(chunk));
  }

  begin(): void {
    this.writer.begin();
  }

  lines(lines: Iterable<EInvoiceLine>): void {
    for (const line of lines) this.writer.line(line);
  }

  /** Closes the XML (checking its lines against its header), and embeds it. */
  async finish(): Promise<void> {
    this.writer.end();
    if (this.deflater) {
      if (this.used > 0) this.deflater.stream.write(this.take(false));
      this.deflater.stream.end();
      await this.deflater.done;
    } else {
      this.compressed.push(deflateSync(this.take(false), DEFLATE));
    }
    embed(
      this.doc,
      { compressed: this.compressed, size: this.size, md5: this.md5.digest('hex') },
      this.header.issueDate,
    );
  }

  /** Drops the deflater (the render failed or was abandoned). */
  abandon(): void {
    this.deflater?.stream.destroy();
  }

  private write(chunk: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: make room for the worst case, then encode.
    const room = chunk.length * 3;
    if (this.text.length - this.used < room) {
      const bigger = Buffer.allocUnsafe(Math.max(this.text.length * 2, this.used + room));
      this.text.copy(bigger, 0, 0, this.used);
      this.text = bigger;
    }
    this.used += this.text.write(chunk, this.used, 'utf8');
    if (this.used >= STREAM_FROM) (this.deflater?.stream ?? this.startDeflater()).write(this.take(true));
  }

  private startDeflater(): Deflate {
    const stream = createDeflate(DEFLATE);
    stream.on('data', (chunk: Buffer) => this.compressed.push(chunk));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    this.deflater = { stream, done };
    return stream;
  }

  /**
   * The text written so far, counted and hashed, and forgotten; with `more`, a new buffer takes the next
   * text (the deflater may still be reading these bytes).
   */
  private take(more: boolean): Buffer {
    const bytes = this.text.subarray(0, this.used);
    if (more) this.text = Buffer.allocUnsafe(this.text.length);
    this.used = 0;
    this.size += bytes.length;
    this.md5.update(bytes);
    return bytes;
  }
}
