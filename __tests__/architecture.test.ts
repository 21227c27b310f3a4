import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Folders of src/ import one way along the pipeline: a folder may import only folders listed
 * before it. Files of one folder import each other freely. Scripts and tests sit on top and
 * may import anything; src/ never imports them.
 */
const LAYERS = [
  'lru.ts', // a small shared cache
  'threads.ts', // whether worker threads can load this package
  'hash.ts', // FNV-1a, for shard choice and tags
  'ingest', // corpus files → posts
  'analysis', // normalization, segmentation, index terms
  'format', // on-disk and in-memory index structures shared by the build and the readers
  'segment', // index files read by position on demand (postings, document bodies)
  'store', // version folders and Redis: writing, reading, locking
  'indexer', // full, incremental and watch builds
  'query', // parse → plan → execute → rank → snippets
  'engine', // SearchEngine: loading, in-memory build, request options, query orchestration, export
  'static', // the serverless search folder
  'server', // HTTP API and page
  'cli', // the zhsearch command
  'index.ts', // the public API
];

/** Imports that break the direction for now, each with the reason it is still there. */
const KNOWN_EXCEPTIONS: ReadonlyArray<{ from: string; to: string; reason: string }> = [];

const SRC = resolve(__dirname, '..', 'src');
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'(\.{1,2}\/[^']*)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'public' || e.name === 'assets' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The layer entry (top folder, or root file as `name.ts`) a path inside src/ belongs to, or null outside src/. */
function unitOf(path: string): string | null {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  // An import of a folder ('../engine') resolves to its index.ts: the folder's layer.
  if (parts.length === 1 && existsSync(path) && statSync(path).isDirectory()) return parts[0];
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(ts|js)$/, '') + '.ts';
}

/** Every relative import in src/ as "from-unit → to-unit (file: specifier)". */
function edges(): Array<{ from: string; to: string; where: string }> {
  const out: Array<{ from: string; to: string; where: string }> = [];
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file)!;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1]);
      // Outside src/ only the package's own package.json may be read (for --version).
      const to = unitOf(target) ?? (target.endsWith('package.json') ? null : relative(resolve(SRC, '..'), target));
      if (to === null) continue;
      if (to !== from) out.push({ from, to, where: `${relative(SRC, file)} imports '${m[1]}'` });
    }
  }
  return out;
}

test('every folder of src/ has a place in the layer list', () => {
  const units = new Set(sourceFiles(SRC).map((f) => unitOf(f)!));
  expect([...units].filter((u) => !LAYERS.includes(u))).toEqual([]);
});

test('src/ imports only along the pipeline, never scripts or tests', () => {
  const all = edges();
  expect(all.length).toBeGreaterThan(50);
  const wrong = all.filter(({ from, to }) => {
    if (KNOWN_EXCEPTIONS.some((e) => e.from === from && e.to === to)) return false;
    const a = LAYERS.indexOf(from);
    const b = LAYERS.indexOf(to);
    return b < 0 || b >= a;
  });
  expect(wrong.map((e) => `${e.from} → ${e.to}: ${e.where}`)).toEqual([]);
});

test('every known exception still occurs, so the list cannot go stale', () => {
  const all = edges();
  for (const e of KNOWN_EXCEPTIONS) expect(all.some((x) => x.from === e.from && x.to === e.to)).toBe(true);
});

/** Longest a source file may be without saying, in its first line, why it stays whole. */
const MAX_LINES = 300;

test(`every file of src/ over ${MAX_LINES} lines starts with a "// Over ${MAX_LINES} lines:" reason`, () => {
  const unexplained = sourceFiles(SRC)
    .map((f) => ({ f, text: readFileSync(f, 'utf8') }))
    .filter(({ text }) => text.split('\n').length > MAX_LINES && !text.startsWith(`// Over ${MAX_LINES} lines: `))
    .map(({ f }) => relative(SRC, f));
  expect(unexplained).toEqual([]);
});
