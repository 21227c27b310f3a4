import { CompactText } from '../format/doctext';
import type { TextFile } from './text-file';

/**
 * Document bodies by global document number: the normalized text queries search and
 * the display text snippets are cut from, wherever they live.
 */
export interface DocTexts {
  readonly size: number;
  /** Length of document `d`'s normalized body (without reading it). */
  length(d: number): number;
  /** Document `d`'s normalized body. */
  text(d: number): string;
  /** Document `d`'s display body (a string, or a compact form of it). */
  display(d: number): CompactText | string;
  /** Release the files behind the bodies, if any (later reads then throw). */
  close(): void;
}

/** Bodies held in memory (an engine built from documents). */
export class MemoryDocTexts implements DocTexts {
  private readonly displays: Array<CompactText | string>;

  /** `texts`: display bodies; `ntexts`: their normalized forms. */
  constructor(
    texts: readonly string[],
    private readonly ntexts: readonly string[],
  ) {
    this.displays = texts.map((t, d) => CompactText.from(t, ntexts[d]));
  }

  get size(): number {
    return this.ntexts.length;
  }

  length(d: number): number {
    return this.ntexts[d].length;
  }

  text(d: number): string {
    return this.ntexts[d];
  }

  display(d: number): CompactText | string {
    return this.displays[d];
  }

  /** Nothing to release: the bodies are in memory. */
  close(): void {}
}

/**
 * Code units of decoded bodies {@link FileDocTexts} keeps by default (two bytes each): a
 * few hundred posts, what one query reads again while matching, scoring and cutting
 * snippets. A large cache costs more than it saves: cached strings outlive the young
 * generation and, once evicted, leave garbage in the old one (more heap and longer pauses),
 * while the page cache already holds the bytes.
 */
export const DEFAULT_TEXT_CACHE_UNITS = 1024 * 1024;

/**
 * Bodies read from per-shard {@link TextFile}s on demand, with the normalized bodies read
 * last kept up to a total size (a query reads the same candidates several times:
 * matching, scoring, snippets). Display bodies are read for the shown hits only, as the
 * differences from the normalized body. Eviction is CLOCK (second chance): a hit only
 * sets a flag, since the scoring loop reads bodies by the thousand.
 */
export class FileDocTexts implements DocTexts {
  /** Per document: its file, and its number in that file. */
  private readonly shardOf: Uint32Array;
  private readonly localOf: Uint32Array;
  private readonly lengths: Uint32Array;
  /** Cached normalized bodies by document number, and whether each was read since its last pass. */
  private readonly cached: Array<string | undefined>;
  private readonly used: Uint8Array;
  /** Cached documents in insertion order from `head` on (the clock's hand). */
  private queue: number[] = [];
  private head = 0;
  private units = 0;

  /**
   * `files` hold the stored documents in order; `live` (stored number of each document
   * served, ascending) leaves deleted ones out, and is all of them when absent.
   */
  constructor(
    private readonly files: readonly TextFile[],
    private readonly capacity: number = DEFAULT_TEXT_CACHE_UNITS,
    live?: Uint32Array,
  ) {
    const stored = files.reduce((n, f) => n + f.lengths.length, 0);
    const n = live ? live.length : stored;
    this.shardOf = new Uint32Array(n);
    this.localOf = new Uint32Array(n);
    this.lengths = new Uint32Array(n);
    let d = 0;
    let at = 0; // stored number of the current file's first document
    files.forEach((f, k) => {
      const end = at + f.lengths.length;
      for (; d < n && (live ? live[d] : d) < end; d++) {
        const local = (live ? live[d] : d) - at;
        this.shardOf[d] = k;
        this.localOf[d] = local;
        this.lengths[d] = f.lengths[local];
      }
      at = end;
    });
    this.cached = new Array<string | undefined>(n);
    this.used = new Uint8Array(n);
  }

  get size(): number {
    return this.lengths.length;
  }

  length(d: number): number {
    return this.lengths[d];
  }

  text(d: number): string {
    let t = this.cached[d];
    if (t !== undefined) {
      this.used[d] = 1;
      return t;
    }
    t = this.files[this.shardOf[d]].readText(this.localOf[d]);
    this.remember(d, t);
    return t;
  }

  display(d: number): CompactText | string {
    const file = this.files[this.shardOf[d]];
    const t = this.cached[d];
    if (t !== undefined) return file.readDisplay(this.localOf[d], t);
    const both = file.read(this.localOf[d]);
    this.remember(d, both.ntext);
    return both.display;
  }

  /** Close every file now. */
  close(): void {
    for (const f of this.files) f.close();
  }

  private remember(d: number, t: string): void {
    const cost = t.length + 64;
    if (cost > this.capacity) return;
    this.cached[d] = t;
    this.units += cost;
    this.queue.push(d);
    while (this.units > this.capacity) {
      const v = this.queue[this.head++];
      if (this.used[v] === 1) {
        this.used[v] = 0;
        this.queue.push(v);
        continue;
      }
      this.units -= this.cached[v]!.length + 64;
      this.cached[v] = undefined;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
