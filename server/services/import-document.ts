// The document check of an import body while it arrives (http/body.ts spools it): the same splitters the import
// runs, with their output dropped, so a document that is not a FeatureCollection or CSV at all (cut short, text
// after its end, an unterminated quote, more than 16 MB before "features") is refused before the import writes
// its first slice. Rows are not checked here: a bad row is the import's per-row rejection.
import { CsvSplitter } from '../domain/csv.js';
import { DomainError } from '../domain/errors.js';
import { FeatureSplitter } from './geojson-stream.js';

export class DocumentCheck {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly splitter: FeatureSplitter | CsvSplitter;
  private records = 0;
  private blank = true;

  constructor(readonly format: 'geojson' | 'csv') {
    this.splitter = format === 'geojson' ? new FeatureSplitter() : new CsvSplitter();
  }

  /** @throws DomainError bad_request when the document cannot be what it claims */
  push(chunk: Uint8Array): void {
    this.text(this.decoder.decode(chunk, { stream: true }));
  }

  /** Call after the last chunk. @throws DomainError bad_request (empty, cut short, no CSV header) */
  end(): void {
    this.text(this.decoder.decode());
    if (this.blank) throw new DomainError('bad_request', 'the input is empty: send a CSV with a header row or a GeoJSON FeatureCollection');
    this.records += this.splitter.end().length;
    if (this.format === 'csv' && this.records === 0) throw new DomainError('bad_request', 'CSV: the input has no header row');
  }

  private text(t: string): void {
    if (!t) return;
    if (this.blank) {
      if (!/[^\s\uFEFF]/.test(t)) return; // only blanks so far (the import skips them too)
      this.blank = false;
    }
    this.records += this.splitter.push(t).length;
  }
}
