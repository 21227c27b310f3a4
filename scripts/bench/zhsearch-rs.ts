/**
 * zhsearch benchmark child with the @node-rs/jieba segmenter backend (the manifest
 * records it, so the query process opens the index with the same backend). Same modes
 * as zhsearch.ts.
 */
process.env.ZHSEARCH_SEGMENTER = '@node-rs/jieba';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./zhsearch');
