import { getSegmenter } from '../analysis/segmenter';
import { loadSynonyms } from '../analysis/synonyms';
import { FORMAT_VERSION } from '../format/manifest';
import { groupDuplicates } from '../indexer/duplicate-groups';
import { ShardBuilder } from '../indexer/shard';
import { htmlToText } from '../ingest/html';
import type { Post } from '../ingest/post';
import { FlexShards } from '../query/word-postings';
import { MemoryDocTexts } from '../segment/doc-texts';
import type { DocumentInput, EngineParts, FromDocumentsOptions, IndexInfo } from './types';

/** Index documents in memory, with no files involved (see SearchEngine.fromDocuments). */
export function buildInMemory(docs: readonly DocumentInput[], options: FromDocumentsOptions = {}): EngineParts {
  const segmenter = getSegmenter({ backend: options.segmenter, userDict: options.userDict });
  const builder = new ShardBuilder(segmenter);
  const seen = new Set<string>();
  for (const d of docs) {
    if (typeof d.id !== 'string' || d.id === '') throw new Error('fromDocuments: every document needs a non-empty string id');
    if (seen.has(d.id)) throw new Error(`fromDocuments: duplicate id ${JSON.stringify(d.id)}`);
    seen.add(d.id);
    builder.addPost(toPost(d));
  }
  const shard = builder.finish();
  const info: IndexInfo = { docs: shard.posts.length, builtAt: new Date().toISOString(), formatVersion: FORMAT_VERSION, dir: null };
  const sorted = [...shard.vocab.keys()].sort();
  const vocab = { words: sorted, dfs: Uint32Array.from(sorted, (w) => shard.vocab.get(w)!) };
  const words = new FlexShards([{ flex: shard.flex, offset: 0, size: shard.posts.length }]);
  const synonyms = loadSynonyms(options.synonyms);
  const groups = groupDuplicates(shard.posts.map((p, i) => [p.url, shard.sigs[i]]));
  return {
    posts: shard.posts,
    words,
    bigrams: shard.bigrams,
    titleBigrams: shard.titleBigrams,
    vocab,
    info,
    segmenter,
    synonyms,
    resultCache: options.resultCache,
    texts: new MemoryDocTexts(
      shard.posts.map((p) => p.text),
      shard.ntexts,
    ),
    groups,
    shardSizes: [shard.posts.length],
    queryBudget: options.queryBudget,
  };
}

/** A post from a document input: HTML turned to text, the date checked and made ISO. */
function toPost(d: DocumentInput): Post {
  const text = d.text ?? (d.html !== undefined ? htmlToText(d.html) : '');
  let date: string | null = null;
  if (d.date) {
    const t = d.date instanceof Date ? d.date.getTime() : Date.parse(d.date);
    if (Number.isNaN(t)) throw new Error(`fromDocuments: document ${d.id} has an invalid date ${String(d.date)}`);
    date = new Date(t).toISOString();
  }
  return {
    id: d.id,
    title: d.title ?? '',
    date,
    author: d.author ?? null,
    url: d.url ?? null,
    tags: d.tags ?? [],
    categories: d.categories ?? [],
    text,
  };
}
