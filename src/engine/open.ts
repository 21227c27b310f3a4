import { join } from 'node:path';
import { normalize, NORMALIZATION_VERSION } from '../analysis/normalize';
import { getSegmenter, SEGMENTER_BACKENDS, segmenterFingerprint, type Segmenter } from '../analysis/segmenter';
import { getThreadedSegmenter } from '../analysis/segmenter-thread';
import { loadSynonyms } from '../analysis/synonyms';
import { decodeDocsBytes, decodeVocab, type VocabColumns } from '../format/codec';
import { FLEX_OPTIONS } from '../format/flex';
import {
  baseShards,
  BIGRAM_FILE,
  DUPLICATES_FILE,
  segmentFiles,
  shardFiles,
  TERM_SCHEME,
  TITLE_BIGRAM_FILE,
  WORD_FILE,
  type Manifest,
} from '../format/manifest';
import type { Post, PostMeta } from '../ingest/post';
import { validGroups } from '../query/duplicate-groups';
import { BigramFile } from '../segment/bigram-file';
import { FileDocTexts, type DocTexts } from '../segment/doc-texts';
import { DocMap, SegmentedBigrams, SegmentedWords, type SegmentPart } from '../segment/segments';
import { TextFile } from '../segment/text-file';
import { WordFile } from '../segment/word-file';
import type { IndexSource } from '../store/backend';
import { fileSource } from '../store/files';
import { decodedFiles } from './open-cache';
import type { EngineParts, OpenOptions } from './types';

/** Shard document tables read ahead of the one being decoded while an index loads. */
const READ_AHEAD = 3;
/** Shard text files checked (or fetched into the local cache) at once while an index loads. */
const TEXT_CHECKS = 32;

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
  // use (or when the caller asks, see loadSegmenter), or start loading it in a worker
  // thread once the index is loaded (segmenterThread), but check the user dictionary now.
  // Not sooner: on two cores, loading the dictionary alongside slows the index load.
  const tokenizer = { backend: m.tokenizer.backend, userDict: m.tokenizer.userDict ?? undefined };
  segmenterFingerprint(tokenizer);
  let threaded: Segmenter | null = null;
  const segmenter = (): Segmenter => threaded ?? getSegmenter(tokenizer);
  const synonyms = loadSynonyms(options.synonyms);
  let metas: PostMeta[] = [];
  let ntitle: string[] = [];
  const textSizes: number[] = [];
  // Bigram and word postings and document bodies stay in their files, read by position
  // on demand: only their dictionaries and per-document tables are loaded here. The
  // shards' FlexSearch exports are not read at all (the word file holds their postings).
  const base = baseShards(m);
  const segments = m.shards.slice(base).map((_, i) => segmentFiles(base + i));
  const vocabOrJson = async (): Promise<VocabColumns | string> =>
    decodedFiles.vocab(m.files[VOCAB]?.sha256, join(version.dir, VOCAB)) ?? version.readGzip(VOCAB);
  const postingFiles = Promise.all([
    Promise.all([version.localFile(BIGRAM_FILE), version.localFile(TITLE_BIGRAM_FILE), version.localFile(WORD_FILE)]),
    Promise.all(
      segments.map((f) => Promise.all([version.localFile(f.bigrams), version.localFile(f.titleBigrams), version.localFile(f.words)])),
    ),
  ]);
  const tables = Promise.all([vocabOrJson(), version.readGzip(DUPLICATES_FILE)]);
  // Tables this process decoded already (a reload after an update segment): decided once, up front.
  const docsSum = (k: number): string | undefined => m.files[shardFiles(k).docs]?.sha256;
  const docsPath = (k: number): string => join(version.dir, shardFiles(k).docs);
  postingFiles.catch(() => undefined); // awaited below, or abandoned with the load
  tables.catch(() => undefined);
  const reused = m.shards.map((_, k) => decodedFiles.docs(docsSum(k), docsPath(k)));
  // Shards are read a few ahead of the one being decoded, not all at once: the raw JSON
  // of every shard held together was the largest part of the load's peak memory.
  // Slots are emptied once read, so that a loaded shard's bytes can be collected.
  const ahead: Array<Promise<Buffer> | undefined> = [];
  const read = (k: number): void => {
    if (k >= m.shards.length || reused[k]) return;
    const p = version.readGzipBytes(shardFiles(k).docs);
    p.catch(() => undefined); // every read is awaited below, or abandoned with the load
    ahead[k] = p;
  };
  // The shards' text files are checked against their checksums (on the checksum thread)
  // while this thread decodes the document tables: neither waits for the other.
  const textPaths = inOrder(m.shards.length, TEXT_CHECKS, (k) => version.localFile(shardFiles(k).text));
  textPaths.catch(() => undefined);
  for (let k = 0; k < READ_AHEAD; k++) read(k);
  // A server reloads while it answers queries: decode in steps, yielding to the event
  // loop between them, so that no request waits for the whole load.
  for (let k = 0; k < m.shards.length; k++) {
    let shard = reused[k];
    if (!shard) {
      const bytes = await ahead[k]!;
      ahead[k] = undefined;
      read(k + READ_AHEAD);
      const docs = decodeDocsBytes(bytes, shardFiles(k).docs);
      shard = { metas: docs, ntitle: docs.map((d) => normalize(d.title)) };
      await nextTurn();
    } else read(k + READ_AHEAD);
    if (shard.metas.length !== m.shards[k]) {
      throw new Error(
        `index ${version.dir} is damaged: shard ${k} has ${shard.metas.length} documents, manifest says ${m.shards[k]}; rebuild it`,
      );
    }
    decodedFiles.keep(docsSum(k), docsPath(k), shard);
    textSizes.push(shard.metas.length);
    for (let i = 0; i < shard.metas.length; i++) {
      metas.push(shard.metas[i]);
      ntitle.push(shard.ntitle[i]);
    }
  }
  // The vocabulary and duplicate groups are decoded while the checksum thread may still
  // be checking the large posting files: what needs those files comes last.
  const [vocabJson, groupJson] = await tables;
  const vocab = typeof vocabJson === 'string' ? decodeVocab(vocabJson, `${version.dir}/${VOCAB}`) : vocabJson;
  decodedFiles.keep(m.files[VOCAB]?.sha256, join(version.dir, VOCAB), vocab);
  await nextTurn();
  const mergedDocs = m.shards.slice(0, base).reduce((a, n) => a + n, 0);
  let groups = validGroups(JSON.parse(groupJson), mergedDocs, `${version.dir}/${DUPLICATES_FILE}`);
  await nextTurn();
  const textFiles = (await textPaths).map((path, k) => TextFile.open(path, textSizes[k]));
  const [postingPaths, segmentPaths] = await postingFiles;
  const merged = {
    bigrams: BigramFile.open(postingPaths[0]),
    titleBigrams: BigramFile.open(postingPaths[1]),
    words: WordFile.open(postingPaths[2]),
  };
  let postings: Pick<EngineParts, 'bigrams' | 'titleBigrams' | 'words'> = merged;
  let texts: DocTexts;
  let shardSizes = textSizes;
  if (segments.length === 0 && !m.deleted?.length) texts = new FileDocTexts(textFiles, options.textCache);
  else {
    // Update segments or deletions: queries see live documents only, numbered densely.
    let map: DocMap;
    try {
      map = DocMap.of(metas.length, m.deleted ?? []);
    } catch (err) {
      throw new Error(`index ${version.dir} is damaged: manifest.json: ${(err as Error).message}; rebuild it`);
    }
    postings = segmentedPostings(merged, segmentPaths, m.shards, base, map);
    texts = new FileDocTexts(textFiles, options.textCache, map.toStored);
    const keep = (_: unknown, d: number): boolean => map.toLive[d] >= 0;
    let start = 0;
    shardSizes = textSizes.map((size) => {
      let live = 0;
      for (let d = start; d < start + size; d++) if (map.toLive[d] >= 0) live++;
      start += size;
      return live;
    });
    metas = metas.filter(keep);
    ntitle = ntitle.filter(keep);
    groups = groups.map((g) => g.map((d) => map.toLive[d]).filter((d) => d >= 0)).filter((g) => g.length >= 2);
  }
  const info = { docs: metas.length, builtAt: m.builtAt, formatVersion: m.formatVersion, dir: version.dir };
  const posts: Post[] = metas.map((meta, d) => new StoredPost(meta, texts, d));
  decodedFiles.commit();
  if (options.segmenterThread) threaded = getThreadedSegmenter(tokenizer);
  return {
    posts,
    ...postings,
    vocab,
    info,
    segmenter,
    synonyms,
    resultCache: options.resultCache,
    texts,
    ntitle,
    groups,
    shardSizes,
    queryBudget: options.queryBudget,
  };
}

/** The merged files' postings and each update segment's (opened from `paths`), in live document numbers. */
function segmentedPostings(
  merged: { bigrams: BigramFile; titleBigrams: BigramFile; words: WordFile },
  paths: ReadonlyArray<readonly string[]>,
  shards: readonly number[],
  base: number,
  map: DocMap,
): Pick<EngineParts, 'bigrams' | 'titleBigrams' | 'words'> {
  let shift = shards.slice(0, base).reduce((a, n) => a + n, 0);
  const body: Array<SegmentPart<BigramFile>> = [{ lookup: merged.bigrams, shift: 0 }];
  const title: Array<SegmentPart<BigramFile>> = [{ lookup: merged.titleBigrams, shift: 0 }];
  const words: Array<SegmentPart<WordFile>> = [{ lookup: merged.words, shift: 0 }];
  try {
    paths.forEach(([b, t, w], i) => {
      body.push({ lookup: BigramFile.open(b), shift });
      title.push({ lookup: BigramFile.open(t), shift });
      words.push({ lookup: WordFile.open(w), shift });
      shift += shards[base + i];
    });
  } catch (err) {
    for (const p of [...body, ...title, ...words]) p.lookup.close();
    throw err;
  }
  return {
    bigrams: new SegmentedBigrams(body, map),
    titleBigrams: new SegmentedBigrams(title, map),
    words: new SegmentedWords(words, map),
  };
}

/** The merged vocabulary (suggestions, did-you-mean, pinyin). */
const VOCAB = 'vocab.json.gz';

/**
 * A loaded post: its metadata, with a body read from `texts` when asked for (an opened
 * index keeps bodies on disk). A class rather than a literal with a getter: a large
 * index makes one per document at every open, and instances of one class share their
 * shape and their getter, where literals with a getter each carry their own. The
 * documents and texts it reads from are not enumerable: a spread of it copies the
 * post's fields and not its body (see {@link copyPost}).
 */
class StoredPost implements Post {
  readonly id: string;
  readonly title: string;
  readonly date: string | null;
  readonly author: string | null;
  readonly url: string | null;
  readonly tags: string[];
  readonly categories: string[];
  readonly #texts: DocTexts;
  readonly #d: number;

  constructor(meta: PostMeta, texts: DocTexts, d: number) {
    this.id = meta.id;
    this.title = meta.title;
    this.date = meta.date;
    this.author = meta.author;
    this.url = meta.url;
    this.tags = meta.tags;
    this.categories = meta.categories;
    this.#texts = texts;
    this.#d = d;
  }

  get text(): string {
    return String(this.#texts.display(this.#d));
  }
}

/**
 * `run(0 … n-1)`, at most `limit` at a time, started in order; the results in order. After
 * a failure no more are started (the load is abandoned).
 */
async function inOrder<T>(n: number, limit: number, run: (k: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const k = next++;
      try {
        out[k] = await run(k);
      } catch (err) {
        next = n;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return out;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Refuse an index built with another segmenter list, tokenizer or FlexSearch options, naming what differs. */
export function checkCompatible(m: Manifest, dir: string): void {
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
