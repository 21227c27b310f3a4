import type { FlexIndex, FlexMapEntry } from '../format/flex-index';

import { LruCache } from '../lru';

/**
 * Posting lists of word terms (jieba words of 3+ characters, Latin runs) over all
 * shards, in FlexSearch's order: shard by shard, and within a shard by resolution slot
 * (most prominent first), which is what ranking uses as its prior.
 */
export interface WordIndex {
  /** The documents (global numbers) containing `term`; empty when none. Must not be modified. */
  lookup(term: string): ArrayLike<number>;
}

const EMPTY = new Uint32Array(0);

/**
 * Word postings read from the shards' FlexSearch exports and packed into two typed arrays.
 * FlexSearch's own maps hold a JS array per term and per used slot, many times the heap of
 * the packed form (a few bytes a posting plus one string per distinct term). Lookups give
 * the same ids in the same order as FlexSearch's search over the shards (tested), without
 * searching every shard.
 */
export class PackedWordPostings implements WordIndex {
  private constructor(
    private readonly ids: Map<string, number>,
    /** Postings of term t: docs[offsets[t] .. offsets[t + 1]). */
    private readonly offsets: Uint32Array,
    private readonly docs: Uint32Array,
  ) {}

  /** A builder fed one shard at a time, in shard order. */
  static builder(): PackedWordPostingsBuilder {
    return new PackedWordPostingsBuilder((ids, offsets, docs) => new PackedWordPostings(ids, offsets, docs));
  }

  lookup(term: string): Uint32Array {
    const t = this.ids.get(term);
    return t === undefined ? EMPTY : this.docs.subarray(this.offsets[t], this.offsets[t + 1]);
  }

  /** Distinct terms and postings held. */
  get size(): { terms: number; postings: number } {
    return { terms: this.ids.size, postings: this.docs.length };
  }
}

/** Collects (term, document) pairs shard by shard; see {@link PackedWordPostings.builder}. */
export class PackedWordPostingsBuilder {
  private readonly ids = new Map<string, number>();
  private termOf = new Uint32Array(1 << 16);
  private docOf = new Uint32Array(1 << 16);
  private n = 0;

  constructor(private readonly make: (ids: Map<string, number>, offsets: Uint32Array, docs: Uint32Array) => PackedWordPostings) {}

  /**
   * Add one shard's `map` export entries; local ids become `offset + id`. `where` names
   * the shard in errors (an id outside the shard means a damaged file).
   */
  addShard(entries: readonly FlexMapEntry[], offset: number, size: number, where: string): void {
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
          this.push(t, id, offset, size, where);
        }
      }
    }
  }

  /**
   * Add one shard from the JSON text of its `map` export chunk(s), read in place: the
   * same as {@link addShard} on `JSON.parse(json)`, without building the million small
   * arrays that parsing would (they were most of the garbage of opening an index).
   */
  addShardJson(json: string, offset: number, size: number, where: string): void {
    const c = new JsonCursor(json, where);
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
          do this.push(t, c.uint(), offset, size, where);
          while (c.accept(0x2c));
          c.expect(0x5d);
        } while (c.accept(0x2c));
        c.expect(0x5d);
      }
      c.expect(0x5d);
    } while (c.accept(0x2c));
    c.expect(0x5d);
  }

  /** The number of `term`, given on its first sight. */
  private termId(term: string): number {
    let t = this.ids.get(term);
    if (t === undefined) {
      t = this.ids.size;
      // Terms are cut from larger strings (an export chunk, a Redis key): a V8 slice of 13+
      // characters would keep the whole of it alive, so the map gets a copy.
      this.ids.set(term.length > 12 ? Buffer.from(term, 'utf16le').toString('utf16le') : term, t);
    }
    return t;
  }

  /** Record shard-local document `id` under term `t`; an id outside the shard means a damaged file. */
  private push(t: number, id: number, offset: number, size: number, where: string): void {
    if (id < 0 || id >= size) throw new Error(`${where}: word index names document ${id} of a shard of ${size}`);
    if (this.n === this.termOf.length) this.grow(this.n + 1);
    this.termOf[this.n] = t;
    this.docOf[this.n] = offset + id;
    this.n++;
  }

  /** The packed postings: a stable counting sort by term keeps shard and slot order. */
  finish(): PackedWordPostings {
    const terms = this.ids.size;
    const offsets = new Uint32Array(terms + 1);
    for (let i = 0; i < this.n; i++) offsets[this.termOf[i] + 1]++;
    for (let t = 0; t < terms; t++) offsets[t + 1] += offsets[t];
    const next = offsets.slice(0, terms);
    const docs = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) docs[next[this.termOf[i]]++] = this.docOf[i];
    return this.make(this.ids, offsets, docs);
  }

  private grow(min: number): void {
    let cap = this.termOf.length * 2;
    while (cap < min) cap *= 2;
    const termOf = new Uint32Array(cap);
    termOf.set(this.termOf.subarray(0, this.n));
    const docOf = new Uint32Array(cap);
    docOf.set(this.docOf.subarray(0, this.n));
    this.termOf = termOf;
    this.docOf = docOf;
  }
}

/**
 * Word postings answered by FlexSearch itself, searching each in-memory shard index
 * (engines built with `fromDocuments`, which have no export to pack); recent lists cached.
 */
export class FlexShards implements WordIndex {
  private readonly cache = new LruCache<string, Uint32Array>(512);

  constructor(private readonly shards: ReadonlyArray<{ flex: FlexIndex; offset: number; size: number }>) {}

  lookup(term: string): Uint32Array {
    const hit = this.cache.get(term);
    if (hit) return hit;
    let out: number[] = [];
    for (const s of this.shards) {
      const ids = s.flex.search([term] as unknown as string, { limit: s.size }) as number[];
      if (ids.length === 0) continue;
      if (s.offset === 0 && out.length === 0) out = ids;
      else for (const id of ids) out.push(id + s.offset);
    }
    const postings = Uint32Array.from(out);
    this.cache.set(term, postings);
    return postings;
  }
}

/**
 * A read position in JSON text. Why a class: the scanner used closures over a shared
 * `let i`, and whether V8 inlined them depended on what else the process had loaded
 * (with the `redis` package required, opening an index took markedly longer).
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
