// A streaming reader of GeoJSON FeatureCollections (the imports): cuts the text into the JSON of each feature as it
// arrives, so a 200 MB file is never one string. Not a domain rule, a format reader; it throws DomainError
// bad_request (with the offset) for a document that is not a FeatureCollection.
//
// Kept rather than a library: on 150,000 features (`npm run bench:import -- --parsers`, 2026-12, a shared 2-core
// machine) splitting and JSON.parse of each feature, as the import does, ran at 49,249 features/s against
// @streamparser/json's 34,475 (paths $.features.*, values built by the library): 1.4× slower.
import { DomainError } from '../domain/errors.js';

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
/** Cap on the text before the features array ("type", "crs", "name", …), which is kept to be parsed. */
const HEAD_LIMIT = 16 * 1024 * 1024;
const CRS_WGS84 = /(CRS84|EPSG:+4326|WGS ?84)\s*$/i;

/**
 * Splits a GeoJSON FeatureCollection arriving in chunks into the JSON text of each element of its `features`
 * array, without parsing the whole document: a byte-at-a-time scanner that tracks strings (and their escapes)
 * and bracket depth, keeps only the current element, and checks the members before `features` ("type" must be
 * FeatureCollection, a "crs" must be WGS84). Chunks may split anything anywhere (strings, escapes, numbers).
 * @example const s = new FeatureSplitter(); s.push('{"type":"FeatureCollection","features":[{"a":1},'); // ['{"a":1}']
 */
export class FeatureSplitter {
  private mode: 'start' | 'head' | 'features' | 'tail' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private head = '';
  /** Current element: parts from earlier chunks, its start in the current chunk, and whether it is a scalar. */
  private parts: string[] = [];
  private start = -1;
  private scalar = false;
  private offset = 0;
  /** Elements emitted so far. */
  count = 0;

  push(chunk: string): string[] {
    const out: string[] = [];
    const n = chunk.length;
    let headFrom = this.mode === 'head' ? 0 : -1;
    if (this.start >= 0) this.start = 0;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.scalar && this.depth === 2) this.emit(chunk, i + 1, out);
        }
        continue;
      }
      switch (this.mode) {
        case 'start':
          if (isSpace(c) || c === 0xfeff) continue;
          if (c !== LBRACE) throw this.fail(`expected a GeoJSON FeatureCollection (an object); the input starts with "${chunk.slice(i, i + 20)}"`, i);
          this.mode = 'head';
          this.depth = 1;
          headFrom = i;
          continue;
        case 'head':
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) {
            if (c === LBRACKET && this.depth === 1) {
              this.head += chunk.slice(headFrom, i);
              headFrom = -1;
              if (/"features"\s*:\s*$/.test(this.head)) {
                this.checkHead(i);
                this.mode = 'features';
                this.depth = 2;
                continue;
              }
              headFrom = i;
            }
            this.depth++;
          } else if (c === RBRACE || c === RBRACKET) {
            if (--this.depth === 0) throw this.fail('the GeoJSON object has no "features" array', i);
          }
          continue;
        case 'features':
          if (this.start < 0) {
            // Between elements.
            if (isSpace(c) || c === COMMA) continue;
            if (c === RBRACKET) { this.mode = 'tail'; this.depth = 1; continue; }
            this.start = i;
            this.scalar = c !== LBRACE && c !== LBRACKET;
            if (c === QUOTE) this.inString = true;
            else if (!this.scalar) this.depth++;
            continue;
          }
          if (this.scalar) {
            if (c === COMMA || c === RBRACKET || isSpace(c)) {
              this.emit(chunk, i, out);
              if (c === RBRACKET) { this.mode = 'tail'; this.depth = 1; }
            }
            continue;
          }
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) this.depth++;
          else if (c === RBRACE || c === RBRACKET) {
            if (--this.depth === 2) this.emit(chunk, i + 1, out);
          }
          continue;
        case 'tail':
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) this.depth++;
          else if (c === RBRACE || c === RBRACKET) { if (--this.depth === 0) this.mode = 'done'; }
          continue;
        case 'done':
          if (!isSpace(c)) throw this.fail('unexpected text after the end of the FeatureCollection', i);
          continue;
      }
    }
    if (headFrom >= 0 && this.mode === 'head') {
      this.head += chunk.slice(headFrom);
      if (this.head.length > HEAD_LIMIT) throw this.fail('more than 16 MB before the "features" array', n);
    }
    if (this.start >= 0) {
      this.parts.push(chunk.slice(this.start));
      this.start = 0;
    } else this.start = -1;
    this.offset += n;
    return out;
  }

  /** Call after the last chunk: emits a trailing scalar and throws if the document is cut short. */
  end(): string[] {
    const out: string[] = [];
    if (this.mode === 'features' && this.scalar && this.start >= 0 && !this.inString) this.emit('', 0, out);
    if (this.mode === 'start') throw this.fail('the input is empty', 0);
    if (this.mode === 'head') throw this.fail('the input ended before a "features" array', 0);
    if (this.mode === 'features') throw this.fail(`the input ended inside the "features" array after ${this.count} features (truncated file?)`, 0);
    return out;
  }

  private emit(chunk: string, endAt: number, out: string[]) {
    const tail = chunk.slice(this.start < 0 ? 0 : this.start, endAt);
    out.push(this.parts.length ? this.parts.join('') + tail : tail);
    this.parts = [];
    this.start = -1;
    this.scalar = false;
    this.count++;
  }

  private checkHead(at: number) {
    let members: Record<string, unknown>;
    try {
      members = JSON.parse(this.head + 'null}');
    } catch {
      throw this.fail('the members before "features" are not valid JSON', at);
    }
    if (members.type !== undefined && members.type !== 'FeatureCollection') {
      throw this.fail(`expected a FeatureCollection; "type" is ${JSON.stringify(members.type)}`, at);
    }
    const crs = members.crs as { properties?: { name?: unknown } } | undefined;
    if (crs) {
      const name = String(crs.properties?.name ?? JSON.stringify(crs));
      if (!CRS_WGS84.test(name)) throw this.fail(`crs ${name} is not supported; send WGS84 lon/lat (EPSG:4326, RFC 7946)`, at);
    }
  }

  private fail(message: string, at: number) {
    return new DomainError('bad_request', `GeoJSON: ${message}`, { offset: this.offset + at });
  }
}

