// Over 300 lines: the collector, the merged store and its binary encoding are one format, kept in one place.
/**
 * The bigram posting store: for every CJK bigram, the documents containing it (in
 * ascending document order) and its weighted frequency there (title occurrences count
 * {@link TITLE_TF_WEIGHT} times, capped at 255). Compressed-sparse-row layout in four
 * typed arrays, which take about five bytes a posting and load without parsing.
 *
 * This is zhsearch's recall guarantee: any Chinese query word of two characters is one
 * posting list here, and longer words are the intersection of their bigrams' lists.
 */

/** Title occurrences weigh this many body occurrences in stored frequencies. */
export const TITLE_TF_WEIGHT = 4;

/** Document numbers: 16-bit while an index has fewer than 65,536 documents (half the memory). */
export type DocIds = Uint16Array | Uint32Array;

/** A document-number array wide enough for `maxDoc`. */
export function docIdArray(length: number, maxDoc: number): DocIds {
  return maxDoc < 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/** One bigram's postings: views into the store, not copies. */
export interface BigramList {
  docs: DocIds;
  tfs: Uint8Array;
}

/**
 * Read access to a bigram posting store, wherever it lives: in memory (a build,
 * `fromDocuments`) or in a file read on demand (an opened index, see src/segment/).
 */
export interface BigramLookup {
  /** The postings of a bigram key, or null when no document has it. Must not be modified. */
  lookup(key: number): BigramList | null;
  /** How many documents have the bigram key (0 when none), without reading its postings. */
  count(key: number): number;
  /** Release the file behind the store, if any (later lookups then throw). */
  close(): void;
}

/** Index of `key` in sorted `keys`, or -1. */
export function findKey(keys: Uint32Array, key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid];
    if (k < key) lo = mid + 1;
    else if (k > key) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** An immutable bigram posting store, in memory. */
export class BigramPostings implements BigramLookup {
  constructor(
    /** Sorted, unique bigram keys. */
    readonly keys: Uint32Array,
    /** Postings of keys[i] are at [offsets[i], offsets[i + 1]). */
    readonly offsets: Uint32Array,
    readonly docs: DocIds,
    readonly tfs: Uint8Array,
  ) {}

  get size(): number {
    return this.docs.length;
  }

  /** The postings of a bigram key, or null when no document has it. */
  lookup(key: number): BigramList | null {
    const i = findKey(this.keys, key);
    if (i < 0) return null;
    const a = this.offsets[i];
    const b = this.offsets[i + 1];
    return { docs: this.docs.subarray(a, b), tfs: this.tfs.subarray(a, b) };
  }

  count(key: number): number {
    const i = findKey(this.keys, key);
    return i < 0 ? 0 : this.offsets[i + 1] - this.offsets[i];
  }

  /** Nothing to release: the store is in memory. */
  close(): void {}

  /** Merge shard stores whose local document numbers start at `docOffsets[k]`; `totalDocs` in all. */
  static merge(parts: readonly BigramPostings[], docOffsets: readonly number[], totalDocs: number): BigramPostings {
    if (parts.length === 1 && docOffsets[0] === 0) return parts[0];
    const keys = unionOfSorted(parts.map((p) => p.keys));
    // Two passes over each part, in part order (so every list stays in document order):
    // count each key's postings, then copy them behind a per-key write cursor. This is the
    // single-threaded tail of a build, so it avoids a pass over every part per key.
    const slots = parts.map((p) => slotsIn(keys, p.keys));
    const offsets = new Uint32Array(keys.length + 1);
    for (let k = 0; k < parts.length; k++) {
      const slot = slots[k];
      const po = parts[k].offsets;
      for (let j = 0; j < slot.length; j++) offsets[slot[j] + 1] += po[j + 1] - po[j];
    }
    for (let i = 0; i < keys.length; i++) offsets[i + 1] += offsets[i];
    const total = offsets[keys.length];
    const docs = docIdArray(total, totalDocs - 1);
    const tfs = new Uint8Array(total);
    const cursor = offsets.slice(0, keys.length);
    for (let k = 0; k < parts.length; k++) {
      const slot = slots[k];
      const { offsets: po, docs: pd, tfs: pt } = parts[k];
      const base = docOffsets[k];
      for (let j = 0; j < slot.length; j++) {
        let out = cursor[slot[j]];
        for (let x = po[j]; x < po[j + 1]; x++, out++) {
          docs[out] = pd[x] + base;
          tfs[out] = pt[x];
        }
        cursor[slot[j]] = out;
      }
    }
    return new BigramPostings(keys, offsets, docs, tfs);
  }
}

/** Growable typed storage for (key, doc, tf) triples, appended document by document. */
export class BigramCollector {
  private keys = new Uint32Array(1 << 16);
  private docs = new Uint32Array(1 << 16);
  private tfs = new Uint8Array(1 << 16);
  private n = 0;
  private maxDoc = 0;

  /** Record one document's bigram counts (doc numbers must be appended in ascending order). */
  add(doc: number, counts: Map<number, number>): void {
    if (this.n + counts.size > this.keys.length) this.grow(this.n + counts.size);
    for (const [key, tf] of counts) {
      this.keys[this.n] = key;
      this.docs[this.n] = doc;
      if (doc > this.maxDoc) this.maxDoc = doc;
      this.tfs[this.n] = tf > 255 ? 255 : tf;
      this.n++;
    }
  }

  /** The finished store: postings sorted by key with a stable radix sort, so each list stays in document order. */
  finish(): BigramPostings {
    const n = this.n;
    const order = radixOrder(this.keys, n);
    let u = 0;
    for (let i = 0; i < n; i++) if (i === 0 || this.keys[order[i]] !== this.keys[order[i - 1]]) u++;
    const keys = new Uint32Array(u);
    const offsets = new Uint32Array(u + 1);
    const docs = docIdArray(n, this.maxDoc);
    const tfs = new Uint8Array(n);
    let k = -1;
    for (let i = 0; i < n; i++) {
      const j = order[i];
      const key = this.keys[j];
      if (k < 0 || keys[k] !== key) {
        keys[++k] = key;
        offsets[k] = i;
      }
      docs[i] = this.docs[j];
      tfs[i] = this.tfs[j];
    }
    offsets[u] = n;
    return new BigramPostings(keys, offsets, docs, tfs);
  }

  private grow(min: number): void {
    let cap = this.keys.length * 2;
    while (cap < min) cap *= 2;
    const k = new Uint32Array(cap);
    k.set(this.keys);
    const d = new Uint32Array(cap);
    d.set(this.docs);
    const t = new Uint8Array(cap);
    t.set(this.tfs);
    this.keys = k;
    this.docs = d;
    this.tfs = t;
  }
}

/** Indexes 0..n-1 ordered by `keys[i]` (stable): LSD radix sort in two 16-bit passes. */
function radixOrder(keys: Uint32Array, n: number): Uint32Array {
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Uint32Array(n);
  const count = new Uint32Array(0x10001);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[src[i]] >>> shift) & 0xffff) + 1]++;
    for (let b = 0; b < 0x10000; b++) count[b + 1] += count[b];
    for (let i = 0; i < n; i++) dst[count[(keys[src[i]] >>> shift) & 0xffff]++] = src[i];
    [src, dst] = [dst, src];
  }
  return src;
}

/** The sorted union of sorted arrays of unique keys, merged pairwise (log2(parts) passes). */
export function unionOfSorted(arrays: readonly Uint32Array[]): Uint32Array {
  let level = arrays.slice();
  if (level.length === 0) return new Uint32Array(0);
  while (level.length > 1) {
    const next: Uint32Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeSortedUnique(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

/** For each of `sub`'s keys (a sorted subset of `all`), its index in `all`. */
function slotsIn(all: Uint32Array, sub: Uint32Array): Uint32Array {
  const out = new Uint32Array(sub.length);
  let u = 0;
  for (let j = 0; j < sub.length; j++) {
    const key = sub[j];
    while (u < all.length && all[u] !== key) u++;
    if (u === all.length) throw new Error(`bigram key ${key} missing from the merged keys`);
    out[j] = u;
  }
  return out;
}

/** The sorted union of two sorted arrays of unique keys. */
function mergeSortedUnique(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out[n++] = a[i++];
    else if (i >= a.length || b[j] < a[i]) out[n++] = b[j++];
    else {
      out[n++] = a[i++];
      j++;
    }
  }
  return out.slice(0, n);
}
