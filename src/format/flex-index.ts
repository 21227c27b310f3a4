/**
 * The part of a FlexSearch `Index` that shard building and word lookups call. Declared
 * here rather than taken from FlexSearch's own types so that zhsearch's public
 * declarations compile without them (they do not type-check under `skipLibCheck: false`).
 */
export interface FlexIndex {
  add(id: number, content: string): unknown;
  search(query: string, options: { limit: number }): unknown;
  export(handler: (key: string, data: string) => void): unknown;
  import(key: string, data: string): unknown;
}

/** One term of a FlexSearch `map` export chunk: the term and its resolution slots of local ids. */
export type FlexMapEntry = [string, Array<number[] | null>];
