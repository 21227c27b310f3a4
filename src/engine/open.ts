import { normalize, NORMALIZATION_VERSION } from '../analysis/normalize';
import { getSegmenter, SEGMENTER_BACKENDS, segmenterFingerprint, type Segmenter } from '../analysis/segmenter';
import { loadSynonyms } from '../analysis/synonyms';
import { BigramPostings } from '../format/bigram-postings';
import { decodeDocsBytes, decodeVocab, storedPost } from '../format/codec';
import type { CompactText } from '../format/doctext';
import { FLEX_OPTIONS, flexMapChunks } from '../format/flex';
import type { FlexMapEntry } from '../format/flex-index';
import { BIGRAM_FILE, DUPLICATES_FILE, shardFiles, TERM_SCHEME, TITLE_BIGRAM_FILE, type Manifest } from '../format/manifest';
import type { Post } from '../ingest/post';
import { validGroups } from '../query/duplicate-groups';
import { PackedWordPostings } from '../query/word-postings';
import type { IndexSource } from '../store/backend';
import { fileSource } from '../store/files';
import type { EngineParts, OpenOptions } from './types';

/** Shard files read ahead of the one being decoded while an index loads. */
const READ_AHEAD = 3;

/**
 * Load the live index version of a folder (`indexDir`) or of any storage backend
 * (an {@link IndexSource}, e.g. Redis); checks format version and checksums.
 */
export async function loadIndex(index: string | IndexSource, options: OpenOptions = {}): Promise<EngineParts> {
  const version = await (typeof index === 'string' ? fileSource(index) : index).open();
  const m = version.manifest;
  checkCompatible(m, version.dir);
  if (options.segmenter && options.segmenter !== m.tokenizer.backend) {
    throw new Error(`index ${version.dir} was built with the ${m.tokenizer.backend} segmenter; queries cannot use ${options.segmenter}`);
  }
  // jieba's dictionary is slow and large to load (docs/ARCHITECTURE.md, Performance notes),
  // and only queries with a Chinese run longer than 4 characters need it: load it on first
  // use (or when the caller asks, see loadSegmenter), but check the user dictionary now.
  const tokenizer = { backend: m.tokenizer.backend, userDict: m.tokenizer.userDict ?? undefined };
  segmenterFingerprint(tokenizer);
  const segmenter = (): Segmenter => getSegmenter(tokenizer);
  const synonyms = loadSynonyms(options.synonyms);
  const stored = { ntitle: [] as string[], ntext: [] as string[], display: [] as Array<CompactText | string> };
  const posts: Post[] = [];
  const words = PackedWordPostings.builder();
  type ShardRead = { docs: Buffer; flex: string | FlexMapEntry[] };
  const readShard = async (k: number): Promise<ShardRead> => {
    const names = shardFiles(k);
    // A backend that stores FlexSearch natively (Redis adapter) hands over its entries.
    const [docs, flex] = await Promise.all([
      version.readGzipBytes(names.docs),
      version.loadFlexEntries ? version.loadFlexEntries(k) : version.readGzip(names.flex),
    ]);
    return { docs, flex };
  };
  const others = Promise.all([
    Promise.all([version.readGzipBytes(BIGRAM_FILE), version.readGzipBytes(TITLE_BIGRAM_FILE)]),
    version.readGzip('vocab.json.gz'),
    version.readGzip(DUPLICATES_FILE),
  ]);
  // Shards are read a few ahead of the one being decoded, not all at once: the raw JSON
  // of every shard held together was the largest part of the load's peak memory.
  // Slots are emptied once read, so that a loaded shard's bytes can be collected.
  const ahead: Array<Promise<ShardRead> | undefined> = [];
  const read = (k: number): void => {
    if (k >= m.shards.length) return;
    const p = readShard(k);
    p.catch(() => undefined); // every read is awaited below, or abandoned with the load
    ahead[k] = p;
  };
  others.catch(() => undefined);
  for (let k = 0; k < READ_AHEAD; k++) read(k);
  // A server reloads while it answers queries: decode in steps, yielding to the event
  // loop between them, so that no request waits for the whole load.
  for (let k = 0; k < m.shards.length; k++) {
    const part = await ahead[k]!;
    ahead[k] = undefined;
    read(k + READ_AHEAD);
    const name = shardFiles(k).docs;
    const docs = decodeDocsBytes(part.docs, name);
    if (docs.length !== m.shards[k]) {
      throw new Error(`index ${version.dir} is damaged: shard ${k} has ${docs.length} documents, manifest says ${m.shards[k]}; rebuild it`);
    }
    await nextTurn();
    const flexName = `${version.dir}/${shardFiles(k).flex}`;
    if (typeof part.flex !== 'string') words.addShard(part.flex, posts.length, docs.length, flexName);
    else for (const chunk of flexMapChunks(part.flex, flexName)) words.addShardJson(chunk, posts.length, docs.length, flexName);
    for (const d of docs) {
      posts.push(storedPost(d));
      stored.ntitle.push(normalize(d.post.title));
      stored.ntext.push(d.ntext);
      stored.display.push(d.display);
    }
    await nextTurn();
  }
  const [bigramBytes, vocabJson, groupJson] = await others;
  const bigrams = BigramPostings.decode(bigramBytes[0], `${version.dir}/${BIGRAM_FILE}`);
  const titleBigrams = BigramPostings.decode(bigramBytes[1], `${version.dir}/${TITLE_BIGRAM_FILE}`);
  await nextTurn();
  const vocab = decodeVocab(vocabJson);
  await nextTurn();
  const groups = validGroups(JSON.parse(groupJson), posts.length, `${version.dir}/${DUPLICATES_FILE}`);
  const info = { docs: posts.length, builtAt: m.builtAt, formatVersion: m.formatVersion, dir: version.dir };
  return {
    posts,
    words: words.finish(),
    bigrams,
    titleBigrams,
    vocab,
    info,
    segmenter,
    synonyms,
    resultCache: options.resultCache,
    stored,
    groups,
    queryBudget: options.queryBudget,
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Refuse an index built with another segmenter list, tokenizer or FlexSearch options, naming what differs. */
function checkCompatible(m: Manifest, dir: string): void {
  const rebuild = 'rebuild the index (npm run build-index)';
  if (!(SEGMENTER_BACKENDS as readonly string[]).includes(m.tokenizer?.backend)) {
    throw new Error(`index ${dir} names an unknown segmenter ${JSON.stringify(m.tokenizer?.backend)}: ${rebuild}`);
  }
  if (m.tokenizer?.normalization !== NORMALIZATION_VERSION || m.tokenizer?.terms !== TERM_SCHEME) {
    throw new Error(`index ${dir} was built with another tokenizer (${m.tokenizer?.normalization}, ${m.tokenizer?.terms}): ${rebuild}`);
  }
  const opts = m.flexsearch?.options ?? {};
  for (const [k, v] of Object.entries(FLEX_OPTIONS)) {
    if (opts[k] !== v)
      throw new Error(`index ${dir} was built with FlexSearch option ${k}=${String(opts[k])}, expected ${String(v)}: ${rebuild}`);
  }
}
