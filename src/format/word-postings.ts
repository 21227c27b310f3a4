// Over 300 lines: the export reader, the sorted store and its merge and split are one format, kept in one place.
import { docIdArray, type DocIds } from './bigram-postings';
import { flexMapChunks } from './flex';
import type { FlexMapEntry } from './flex-index';

/**
 * Word postings: for every word term (jieba words of 3+ characters, Latin runs), the
 * documents containing it in FlexSearch's order (shard by shard, and within a shard by
 * resolution slot, most prominent first), which ranking uses as its prior. The build
 * reads each shard's FlexSearch export into a {@link WordPostings} sorted by term, merges
 * the shards and writes the result as one file read on demand (segment/word-file.ts).
 */

/** Read access to word postings, wherever they live (in memory, in a file, in FlexSearch). */
export interface WordLookup {
  /** The documents (global numbers) containing `term`, in FlexSearch's order; empty when none. Must not be modified. */
  lookup(term: string): ArrayLike<number>;
  /** Release the file behind the postings, if any (later reads of lists then throw). */
  close(): void;
}

/**
 * The order of word terms in a store and its file: by Unicode code point, which is the
 * byte order of their UTF-8 forms, so a file reader can binary-search the encoded keys.
 * JavaScript's `<` compares UTF-16 units, which put surrogates before U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/** A UTF-16 unit of U+D800 or above, renumbered so that surrogates come after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** An immutable word posting store in memory: sorted terms in compressed-sparse-row layout. */
export class WordPostings implements WordLookup {
  constructor(
    /** Unique terms in {@link compareKeys} order. */
    readonly keys: readonly string[],
    /** Postings of keys[i] are docs[offsets[i] .. offsets[i + 1]). */
    readonly offsets: Uint32Array,
    readonly docs: DocIds,
  ) {}

  /** Number of postings. */
  get size(): number {
    return this.docs.length;
  }

  lookup(term: string): DocIds {
    const i = findTerm(this.keys, term);
    return i < 0 ? this.docs.subarray(0, 0) : this.docs.subarray(this.offsets[i], this.offsets[i + 1]);
  }

  /** Nothing to release: the store is in memory. */
  close(): void {}

  /**
   * Merge shard stores whose local document numbers start at `docOffsets[k]` (`totalDocs`
   * in all): each term's list is its lists of the parts one after the other, in part order.
   */
  static merge(parts: readonly WordPostings[], docOffsets: readonly number[], totalDocs: number): WordPostings {
    const keys = unionOfSorted(parts.map((p) => p.keys));
    const slots = parts.map((p) => slotsIn(keys, p.keys));
    const offsets = new Uint32Array(keys.length + 1);
    for (let k = 0; k < parts.length; k++) {
      const slot = slots[k];
      const po = parts[k].offsets;
      for (let j = 0; j < slot.length; j++) offsets[slot[j] + 1] += po[j + 1] - po[j];
    }
    for (let i = 0; i < keys.length; i++) offsets[i + 1] += offsets[i];
    const docs = docIdArray(offsets[keys.length], totalDocs - 1);
    const cursor = offsets.slice(0, keys.length);
    for (let k = 0; k < parts.length; k++) {
      const slot = slots[k];
      const { offsets: po, docs: pd } = parts[k];
      const base = docOffsets[k];
      for (let j = 0; j < slot.length; j++) {
        let out = cursor[slot[j]];
        for (let x = po[j]; x < po[j + 1]; x++) docs[out++] = pd[x] + base;
        cursor[slot[j]] = out;
      }
    }
    return new WordPostings(keys, offsets, docs);
  }

  /**
   * The inverse of {@link merge}: cut into stores of consecutive document ranges of the
   * given sizes, each numbered from 0 (an incremental build reuses unchanged shards' parts).
   * Within a list, one shard's documents are consecutive (merge put them there).
   */
  split(sizes: readonly number[]): WordPostings[] {
    const n = sizes.length;
    const total = sizes.reduce((a, b) => a + b, 0);
    const shardOf = new Uint32Array(total);
    const start = new Uint32Array(n);
    for (let k = 0, at = 0; k < n; at += sizes[k], k++) {
      start[k] = at;
      shardOf.fill(k, at, at + sizes[k]);
    }
    const keyCount = new Uint32Array(n);
    const postCount = new Uint32Array(n);
    const nk = this.keys.length;
    for (let i = 0; i < nk; i++) {
      let last = -1;
      for (let x = this.offsets[i]; x < this.offsets[i + 1]; x++) {
        const s = shardOf[this.docs[x]];
        postCount[s]++;
        if (s !== last) keyCount[s]++;
        last = s;
      }
    }
    const parts = Array.from({ length: n }, (_, k) => ({
      keys: new Array<string>(keyCount[k]),
      offsets: new Uint32Array(keyCount[k] + 1),
      docs: docIdArray(postCount[k], sizes[k] - 1),
      nk: 0,
      np: 0,
    }));
    for (let i = 0; i < nk; i++) {
      let last = -1;
      for (let x = this.offsets[i]; x < this.offsets[i + 1]; x++) {
        const d = this.docs[x];
        const s = shardOf[d];
        const p = parts[s];
        if (s !== last) {
          if (s < last) throw new Error(`word postings of ${JSON.stringify(this.keys[i])} are not in shard order`);
          p.keys[p.nk] = this.keys[i];
          p.offsets[p.nk] = p.np;
          p.nk++;
        }
        last = s;
        p.docs[p.np++] = d - start[s];
      }
    }
    return parts.map((p) => {
      p.offsets[p.nk] = p.np;
      return new WordPostings(p.keys, p.offsets, p.docs);
    });
  }
}

/** {@link WordPostings} as plain arrays, which a worker thread can post to the build. */
export interface WordArrays {
  keys: string[];
  offsets: Uint32Array;
  docs: DocIds;
}

/** The plain arrays of a store (see {@link WordArrays}). */
export function wordArrays(w: WordPostings): WordArrays {
  return { keys: w.keys as string[], offsets: w.offsets, docs: w.docs };
}

/** Rebuild a store from {@link WordArrays}. */
export function wordsFromArrays(a: WordArrays): WordPostings {
  return new WordPostings(a.keys, a.offsets, a.docs);
}

/** A surrogate not paired with its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Index of `term` in sorted `keys`, or -1. */
function findTerm(keys: readonly string[], term: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(keys[mid], term);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * The word postings of one shard from its FlexSearch export ({@link exportFlex} output) of
 * `size` documents; `where` names the file in errors (an id outside the shard means a damaged export).
 */
export function wordsFromExport(serialized: string, size: number, where: string): WordPostings {
  const builder = new WordPostingsBuilder(size, where);
  for (const chunk of flexMapChunks(serialized, where)) builder.addJson(chunk);
  return builder.finish();
}

/** Collects one shard's (term, document) pairs from FlexSearch `map` export entries. */
export class WordPostingsBuilder {
  private readonly ids = new Map<string, number>();
  private termOf = new Uint32Array(1 << 12);
  private docOf = new Uint32Array(1 << 12);
  private n = 0;

  constructor(
    /** Documents in the shard: ids must be below it. */
    private readonly size: number,
    /** Names the export in errors. */
    private readonly where: string,
  ) {}

  /** Add parsed `map` export entries. */
  addEntries(entries: readonly FlexMapEntry[]): void {
    const where = this.where;
    for (const entry of entries) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
        throw new Error(`${where}: malformed word index entry`);
      }
      const t = this.termId(entry[0]);
      for (const slot of entry[1]) {
        if (slot === null) continue;
        if (!Array.isArray(slot)) throw new Error(`${where}: malformed word index entry for ${JSON.stringify(entry[0])}`);
        for (const id of slot) {
          if (typeof id !== 'number' || !Number.isInteger(id)) throw new Error(`${where}: word index names document ${String(id)}`);
          this.push(t, id);
        }
      }
    }
  }

  /**
   * Add the JSON text of one `map` export chunk, read in place: the same as
   * {@link addEntries} on `JSON.parse(json)`, without building a small array per term and slot.
   */
  addJson(json: string): void {
    const c = new JsonCursor(json, this.where);
    c.expect(0x5b); // [
    if (c.accept(0x5d)) return;
    do {
      c.expect(0x5b);
      const t = this.termId(c.string());
      c.expect(0x2c);
      c.expect(0x5b);
      if (!c.accept(0x5d)) {
        do {
          if (c.acceptNull()) continue;
          c.expect(0x5b);
          if (c.accept(0x5d)) continue;
          do this.push(t, c.uint());
          while (c.accept(0x2c));
          c.expect(0x5d);
        } while (c.accept(0x2c));
        c.expect(0x5d);
      }
      c.expect(0x5d);
    } while (c.accept(0x2c));
    c.expect(0x5d);
  }

  /**
   * The shard's store: terms in {@link compareKeys} order (terms without documents left
   * out), each list in the order its documents were added, which is FlexSearch's.
   */
  finish(): WordPostings {
    const terms = [...this.ids.keys()];
    const count = new Uint32Array(terms.length + 1);
    for (let i = 0; i < this.n; i++) count[this.termOf[i] + 1]++;
    const order = terms.map((_, t) => t).filter((t) => count[t + 1] > 0);
    order.sort((a, b) => compareKeys(terms[a], terms[b]));
    // A stable counting sort by the term's rank keeps each list in the order added.
    const rank = new Uint32Array(terms.length);
    order.forEach((t, r) => (rank[t] = r));
    const offsets = new Uint32Array(order.length + 1);
    for (let r = 0; r < order.length; r++) offsets[r + 1] = offsets[r] + count[order[r] + 1];
    const next = offsets.slice(0, order.length);
    const docs = docIdArray(this.n, this.size - 1);
    for (let i = 0; i < this.n; i++) docs[next[rank[this.termOf[i]]]++] = this.docOf[i];
    return new WordPostings(
      order.map((t) => terms[t]),
      offsets,
      docs,
    );
  }

  /** The number of `term`, given on its first sight. */
  private termId(term: string): number {
    let t = this.ids.get(term);
    if (t === undefined) {
      // A lone surrogate has no UTF-8 form: the term is kept as a file reader will see it
      // (U+FFFD in its place), so that sorting and lookups agree.
      const key = LONE_SURROGATE.test(term) ? Buffer.from(term, 'utf8').toString('utf8') : term;
      t = this.ids.get(key);
      if (t !== undefined) return t;
      t = this.ids.size;
      // Terms are cut from a large string (an export chunk): a V8 slice of 13+ characters
      // would keep the whole of it alive, so the map gets a copy.
      this.ids.set(key.length > 12 && key === term ? Buffer.from(key, 'utf16le').toString('utf16le') : key, t);
    }
    return t;
  }

  /** Record document `id` under term `t`; an id outside the shard means a damaged export. */
  private push(t: number, id: number): void {
    if (id < 0 || id >= this.size) throw new Error(`${this.where}: word index names document ${id} of a shard of ${this.size}`);
    if (this.n === this.termOf.length) this.grow();
    this.termOf[this.n] = t;
    this.docOf[this.n] = id;
    this.n++;
  }

  private grow(): void {
    const cap = this.termOf.length * 2;
    const termOf = new Uint32Array(cap);
    termOf.set(this.termOf);
    const docOf = new Uint32Array(cap);
    docOf.set(this.docOf);
    this.termOf = termOf;
    this.docOf = docOf;
  }
}

/** The sorted union of sorted arrays of unique terms, merged pairwise (log2(parts) passes). */
function unionOfSorted(arrays: ReadonlyArray<readonly string[]>): string[] {
  let level = arrays.slice();
  if (level.length === 0) return [];
  while (level.length > 1) {
    const next: Array<readonly string[]> = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeSortedUnique(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0].slice();
}

/** The sorted union of two sorted arrays of unique terms. */
function mergeSortedUnique(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareKeys(a[i], b[j]);
    if (c < 0) out.push(a[i++]);
    else if (c > 0) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** For each of `sub`'s terms (a sorted subset of `all`), its index in `all`. */
function slotsIn(all: readonly string[], sub: readonly string[]): Uint32Array {
  const out = new Uint32Array(sub.length);
  let u = 0;
  for (let j = 0; j < sub.length; j++) {
    const key = sub[j];
    while (u < all.length && all[u] !== key) u++;
    if (u === all.length) throw new Error(`word term ${JSON.stringify(key)} missing from the merged terms`);
    out[j] = u;
  }
  return out;
}

/**
 * A read position in JSON text. Why a class: the scanner used closures over a shared
 * `let i`, and whether V8 inlined them depended on what else the process had loaded.
 * Methods of one class are inlined either way.
 */
class JsonCursor {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly where: string,
  ) {}

  /** Skip JSON whitespace. */
  private skip(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }

  /** Consume `c` (after whitespace), or fail. */
  expect(c: number): void {
    if (!this.accept(c)) this.fail();
  }

  /** Consume `c` when it comes next (after whitespace). */
  accept(c: number): boolean {
    this.skip();
    if (this.s.charCodeAt(this.i) !== c) return false;
    this.i++;
    return true;
  }

  /** Consume `null` when it comes next (after whitespace). */
  acceptNull(): boolean {
    this.skip();
    if (!this.s.startsWith('null', this.i)) return false;
    this.i += 4;
    return true;
  }

  /** A JSON string (after whitespace); escapes are decoded by JSON.parse, plain ones are sliced. */
  string(): string {
    this.skip();
    const s = this.s;
    const n = s.length;
    const start = this.i;
    if (s.charCodeAt(start) !== 0x22) this.fail();
    let i = start + 1;
    let escaped = false;
    while (i < n && s.charCodeAt(i) !== 0x22) {
      if (s.charCodeAt(i) === 0x5c) {
        escaped = true;
        i++;
      }
      i++;
    }
    if (i >= n) {
      this.i = i;
      this.fail();
    }
    this.i = ++i;
    return escaped ? (JSON.parse(s.slice(start, i)) as string) : s.slice(start + 1, i - 1);
  }

  /** A non-negative integer (after whitespace). */
  uint(): number {
    this.skip();
    const s = this.s;
    let i = this.i;
    let v = 0;
    for (let c = s.charCodeAt(i); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++i)) v = v * 10 + c - 0x30;
    if (i === this.i) this.fail();
    this.i = i;
    return v;
  }

  private fail(): never {
    throw new Error(`${this.where}: malformed word index at character ${this.i}`);
  }
}
