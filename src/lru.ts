/** Options of {@link LruCache}. */
export interface LruOptions {
  /**
   * Store a key only the second time it is offered within the last `4 × capacity` offers.
   * One-off keys (most of what a search box sees) then never enter the cache: an entry that
   * enters and is later evicted has lived long enough to reach V8's old space, where it
   * waits for a rare full collection, so caching results nobody repeats only grows the RSS.
   */
  admitOnRepeat?: boolean;
}

/** A small least-recently-used cache on top of Map's insertion order. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  /** Keys offered once, oldest first (only with `admitOnRepeat`). */
  private readonly seen: Set<K> | null;

  constructor(
    private readonly capacity: number,
    options: LruOptions = {},
  ) {
    this.seen = options.admitOnRepeat && capacity > 0 ? new Set() : null;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Offer `value` under `key`; true when the cache stored it (see {@link LruOptions.admitOnRepeat}). */
  set(key: K, value: V): boolean {
    if (this.capacity <= 0) return false;
    if (this.seen !== null && !this.map.has(key)) {
      if (!this.seen.has(key)) {
        this.seen.add(key);
        if (this.seen.size > this.capacity * 4) this.seen.delete(this.seen.values().next().value as K);
        return false;
      }
      this.seen.delete(key);
    }
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
    return true;
  }
}
