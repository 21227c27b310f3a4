// zhsearch static search: queries a folder written by `zhsearch build-static` in the
// browser, with no server. Files are resolved relative to this module's own URL and
// fetched only when a query needs them: the normalization table, document lengths and
// meta on the first query, then the posting shards of the query's terms and the
// records of the results shown.
//
// Query syntax: words (all required), "quoted phrases", -word (excluded), a OR b.
// Chinese matches as an exact substring (found by its character bigrams, checked
// against the text of every result shown); Latin words match whole (plurals folded).

const BASE = new URL('./', import.meta.url);
const FORMAT = 2;
const K1 = 1.2;
const B = 0.75;
const TITLE_BOOST = 1;
const ALL_IN_TITLE_BONUS = 1;
const SNIPPET_CHARS = 140;

let ready = null;
const shards = new Map();
const records = new Map();

/** Fetch a file of the static folder; gzip bytes (`.bin`) are inflated. */
async function fetchBytes(path) {
  const res = await fetch(new URL(path, BASE));
  if (!res.ok) throw new Error(`zhsearch: ${path}: HTTP ${res.status}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  // A host or proxy that already inflated the bytes leaves no gzip magic.
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) return buf;
  const stream = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

class Reader {
  constructor(bytes, pos = 0) {
    this.b = bytes;
    this.pos = pos;
  }
  varint() {
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = this.b[this.pos++];
      v += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) return v;
      shift += 7;
    }
  }
}

const utf8 = new TextDecoder();

function load() {
  if (!ready) {
    ready = (async () => {
      const [metaRes, foldBytes, lengthBytes] = await Promise.all([
        fetch(new URL('meta.json', BASE)),
        fetchBytes('fold.bin'),
        fetchBytes('lengths.bin'),
      ]);
      if (!metaRes.ok) throw new Error(`zhsearch: meta.json: HTTP ${metaRes.status}`);
      const meta = await metaRes.json();
      if (meta.format !== FORMAT)
        throw new Error(`zhsearch: meta.json has format ${meta.format}; this zhsearch.js reads ${FORMAT}: rebuild the folder`);
      fold = readFold(foldBytes);
      const r = new Reader(lengthBytes);
      const titleLen = new Uint32Array(meta.docs);
      const bodyLen = new Uint32Array(meta.docs);
      for (let d = 0; d < meta.docs; d++) {
        titleLen[d] = r.varint();
        bodyLen[d] = r.varint();
      }
      return { meta, titleLen, bodyLen };
    })();
    ready.catch(() => (ready = null));
  }
  return ready;
}

// ---- normalization: the same table as the index (NFKC, case, traditional → simplified)

let fold = null;

function readFold(bytes) {
  const r = new Reader(bytes);
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = c;
  let c = 0;
  for (let n = r.varint(); n > 0; n--) {
    c += r.varint();
    const z = r.varint();
    table[c] = c + (z & 1 ? -(z + 1) / 2 : z / 2);
  }
  const starts = new Uint8Array(0x10000);
  const byFirst = new Map();
  for (let n = r.varint(); n > 0; n--) {
    const len = r.varint();
    let from = '';
    let to = '';
    for (let k = 0; k < len; k++) from += String.fromCharCode(r.varint());
    for (let k = 0; k < len; k++) to += String.fromCharCode(r.varint());
    const first = from.charCodeAt(0);
    starts[first] = 1;
    if (!byFirst.has(first)) byFirst.set(first, []);
    byFirst.get(first).push({ from, to });
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.from.length - a.from.length);
  const hot = table.map((m) => (starts[m] === 1 ? 0 : m));
  return { table, hot, byFirst };
}

/** Normalize text as the index did; the result has the same length as the input. */
export function normalize(text) {
  if (!fold) throw new Error('zhsearch: normalize() before the first search()');
  const { table, hot, byFirst } = fold;
  const out = new Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let m = hot[c];
    if (m === 0 && c !== 0) {
      const list = byFirst.get(table[c]);
      let matched = 0;
      if (list) {
        outer: for (const { from, to } of list) {
          if (i + from.length > text.length) continue;
          for (let k = 1; k < from.length; k++) if (table[text.charCodeAt(i + k)] !== from.charCodeAt(k)) continue outer;
          for (let k = 0; k < to.length; k++) out[i + k] = to[k];
          matched = from.length;
          break;
        }
      }
      if (matched > 0) {
        i += matched - 1;
        continue;
      }
      m = table[c];
    }
    out[i] = String.fromCharCode(m);
  }
  return out.join('');
}

function isCjk(c) {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || c === 0x3007;
}

function isWordChar(c) {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0xe0 && c <= 0x24f && c !== 0xf7);
}

/** Runs of CJK ideographs and of Latin letters/digits in normalized text. */
function runs(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const kind = isCjk(c) ? 'cjk' : isWordChar(c) ? 'word' : null;
    if (!kind) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && (kind === 'cjk' ? isCjk(text.charCodeAt(j)) : isWordChar(text.charCodeAt(j)))) j++;
    out.push({ kind, text: text.slice(i, j), start: i });
    i = j;
  }
  return out;
}

const NOT_PLURAL = new Set(
  'news series species means always perhaps whereas thus across analysis basis crisis thesis status campus virus bonus census consensus focus bias atlas chaos canvas lens politics economics physics mathematics ethics tactics sometimes'.split(
    ' ',
  ),
);

/** The singular of a Latin word, as the index folds it (sanctions → sanction). */
export function foldPlural(w) {
  const n = w.length;
  if (n < 4 || w.charCodeAt(n - 1) !== 0x73 || NOT_PLURAL.has(w) || !/^[a-z]+$/.test(w)) return w;
  if (/(?:ss|us|is|ous)$/.test(w)) return w;
  if (n > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (/(?:sses|shes|ches|xes|zes)$/.test(w)) return w.slice(0, -2);
  return w.slice(0, -1);
}

// ---- query parsing

/**
 * Parse a query into clauses (all required; each a list of alternatives joined by OR)
 * and excluded terms. A term is a list of atoms (CJK runs, Latin words) that must all
 * match, plus the whole normalized text when it was quoted across several runs.
 */
export function parseQuery(query) {
  const clauses = [];
  const exclude = [];
  const re = /(-?)["“”＂]([^"“”＂]*)["“”＂]?|(\S+)/g;
  let joinNext = false;
  for (let m; (m = re.exec(String(query).slice(0, 500)));) {
    let neg = m[1] === '-';
    let raw = m[2] ?? m[3];
    const quoted = m[2] !== undefined;
    if (!quoted && (raw === 'OR' || raw === '|')) {
      joinNext = clauses.length > 0;
      continue;
    }
    if (!quoted && (raw[0] === '-' || raw[0] === '－') && raw.length > 1) {
      neg = true;
      raw = raw.slice(1);
    }
    const term = makeTerm(normalize(raw), quoted);
    if (!term) continue;
    if (neg) exclude.push(term);
    else if (joinNext) clauses[clauses.length - 1].push(term);
    else clauses.push([term]);
    joinNext = false;
  }
  return { clauses, exclude };
}

function makeTerm(text, quoted) {
  const rs = runs(text);
  if (rs.length === 0) return null;
  const atoms = rs.map((r) => {
    if (r.kind === 'word') return { kind: 'latin', text: foldPlural(r.text), keys: [foldPlural(r.text)] };
    const keys = [];
    for (let i = 0; i + 1 < r.text.length; i++) if (!keys.includes(r.text.slice(i, i + 2))) keys.push(r.text.slice(i, i + 2));
    return { kind: 'cjk', text: r.text, keys };
  });
  const phrase = quoted && rs.length > 1 ? text.trim() : null;
  // Postings are exact for a two-character word and a Latin word; anything else is checked in the text.
  const verify = phrase !== null || atoms.some((a) => a.kind === 'cjk' && a.text.length !== 2);
  return { atoms, phrase, verify };
}

// ---- postings

function shard(n) {
  let p = shards.get(n);
  if (!p) {
    p = fetchBytes(`p/${n}.bin`).then(readShard);
    p.catch(() => shards.delete(n));
    shards.set(n, p);
  }
  return p;
}

function readShard(bytes) {
  const r = new Reader(bytes);
  const n = r.varint();
  const entries = [];
  for (let k = 0; k < n; k++) {
    const len = r.varint();
    const term = utf8.decode(bytes.subarray(r.pos, r.pos + len));
    r.pos += len;
    entries.push([term, r.varint(), r.varint()]);
  }
  const map = new Map();
  let pos = r.pos;
  for (const [term, df, size] of entries) {
    map.set(term, { df, start: pos });
    pos += size;
  }
  return { bytes, map };
}

function shardOf(term, count) {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (count - 1);
}

/** Documents of one index term: Map doc → [body tf, title tf, 1 when in the record]. */
async function postings(term, meta) {
  const s = await shard(shardOf(term, meta.shards));
  const e = s.map.get(term);
  const out = new Map();
  if (!e) return out;
  const r = new Reader(s.bytes, e.start);
  let doc = -1;
  for (let k = 0; k < e.df; k++) {
    doc += r.varint() + 1;
    const v = r.varint();
    out.set(doc, [Math.floor(v / 8), v & 3, (v >> 2) & 1]);
  }
  return out;
}

/**
 * Documents holding every key of an atom, with the smallest of their frequencies and
 * whether every key is in the document's record (title or head of the text).
 */
async function atomDocs(atom, meta) {
  if (atom.keys.length === 0) return null; // a lone character: no index term
  const lists = await Promise.all(atom.keys.map((k) => postings(k, meta)));
  lists.sort((a, b) => a.size - b.size);
  const out = new Map();
  outer: for (const [doc, tf] of lists[0]) {
    let body = tf[0];
    let title = tf[1];
    let inRecord = tf[2];
    for (let k = 1; k < lists.length; k++) {
      const o = lists[k].get(doc);
      if (!o) continue outer;
      body = Math.min(body, o[0]);
      title = Math.min(title, o[1]);
      inRecord &= o[2];
    }
    out.set(doc, [body, title, inRecord]);
  }
  return out;
}

// ---- matching and ranking

function bm25(tf, len, avg, idf) {
  return tf === 0 ? 0 : (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg));
}

/**
 * Candidate documents of a query, best first: every document that holds the query's
 * index terms, ranked by BM25 on body plus a boosted BM25 on the title. `exact` is false
 * when some candidates still need the substring check against their text.
 */
export async function match(query) {
  const state = await load();
  const { meta } = state;
  const q = parseQuery(query);
  const all = [...q.clauses.flat(), ...q.exclude];
  const atomMaps = new Map();
  await Promise.all(all.flatMap((t) => t.atoms).map(async (a) => atomMaps.set(a, await atomDocs(a, meta))));
  const scores = new Map();
  // Documents whose record alone shows every clause matching (no need for the rest of the text).
  const inRecord = new Map();
  let docs = null;
  for (const clause of q.clauses) {
    const clauseScores = new Map();
    const clauseRecord = new Set();
    for (const term of clause) {
      const maps = term.atoms.map((a) => atomMaps.get(a)).filter((m) => m !== null);
      if (maps.length === 0) continue; // lone characters only: nothing to look up
      maps.sort((a, b) => a.size - b.size);
      const idfs = maps.map((m) => Math.log(1 + (meta.docs - m.size + 0.5) / (m.size + 0.5)));
      const idfSum = idfs.reduce((a, b) => a + b, 0);
      for (const doc of maps[0].keys()) {
        if (!maps.every((m) => m.has(doc))) continue;
        let s = 0;
        let allTitle = true;
        let rec = maps.length === term.atoms.length;
        maps.forEach((m, k) => {
          const [tb, tt, r] = m.get(doc);
          if (r === 0) rec = false;
          s += bm25(tb, state.bodyLen[doc], meta.avgBody, idfs[k]);
          s += TITLE_BOOST * bm25(tt, state.titleLen[doc], meta.avgTitle, idfs[k]);
          if (tt === 0) allTitle = false;
        });
        if (allTitle) s += idfSum * ALL_IN_TITLE_BONUS;
        clauseScores.set(doc, Math.max(clauseScores.get(doc) ?? 0, s));
        if (rec) clauseRecord.add(doc);
      }
    }
    if (clause.every((t) => t.atoms.every((a) => atomMaps.get(a) === null))) continue;
    docs = docs === null ? new Set(clauseScores.keys()) : new Set([...docs].filter((d) => clauseScores.has(d)));
    for (const [d, s] of clauseScores) {
      scores.set(d, (scores.get(d) ?? 0) + s);
      inRecord.set(d, (inRecord.get(d) ?? true) && clauseRecord.has(d));
    }
  }
  if (docs === null) return { docs: [], exact: true, parsed: q, searchable: false };
  for (const term of q.exclude) {
    const maps = term.atoms.map((a) => atomMaps.get(a));
    for (const d of [...docs]) {
      if (!maps.every((m) => m === null || m.has(d))) continue;
      // Excluded at the text check, which then needs the whole text.
      if (term.verify) inRecord.set(d, false);
      else docs.delete(d);
    }
  }
  const ranked = [...docs].sort((a, b) => scores.get(b) - scores.get(a) || a - b);
  const lone = q.clauses.some((c) => c.some((t) => t.atoms.some((a) => a.keys.length === 0)));
  const exact = !lone && !all.some((t) => t.verify);
  return { docs: ranked, exact, parsed: q, searchable: true, inRecord };
}

// ---- records, text check, snippets

function record(doc, meta) {
  let p = records.get(doc);
  if (!p) {
    const group = Math.floor(doc / meta.docGroup);
    p = fetchBytes(`d/${group}/${doc % meta.docGroup}.bin`).then((bytes) => {
      const r = JSON.parse(utf8.decode(bytes));
      const title = String(r.title ?? '');
      const text = String(r.head ?? '');
      return { ...r, title, text, nTitle: normalize(title), nText: normalize(text), words: null, full: !r.more, rest: null };
    });
    p.catch(() => records.delete(doc));
    records.set(doc, p);
  }
  return p;
}

/** The record with its whole text: the rest is fetched once, on demand. */
async function whole(doc, rec, meta) {
  if (rec.full || meta.fullText === false) return rec;
  rec.rest ??= fetchBytes(`t/${Math.floor(doc / meta.docGroup)}/${doc % meta.docGroup}.bin`).then((b) => utf8.decode(b));
  rec.rest.catch(() => (rec.rest = null));
  const rest = await rec.rest;
  if (!rec.full) {
    rec.text += rest;
    rec.nText = normalize(rec.text);
    rec.words = null;
    rec.full = true;
  }
  return rec;
}

/** A candidate's record, with as much text as deciding and showing it needs; ok: it matches. */
async function checked(doc, m, meta) {
  let rec = await record(doc, meta);
  if (!m.inRecord.get(doc)) rec = await whole(doc, rec, meta);
  if (m.exact) return { rec, ok: true };
  if (!accepts(m.parsed, rec) && !rec.full) rec = await whole(doc, rec, meta);
  // A build without the rest of the texts cannot check past the head: the postings decide.
  return { rec, ok: accepts(m.parsed, rec) || !rec.full };
}

function latinWords(rec) {
  if (!rec.words) {
    rec.words = new Set();
    for (const r of runs(rec.nTitle + '\n' + rec.nText)) if (r.kind === 'word') rec.words.add(foldPlural(r.text));
  }
  return rec.words;
}

function termIn(term, rec) {
  for (const a of term.atoms) {
    if (a.kind === 'latin' ? !latinWords(rec).has(a.text) : !rec.nTitle.includes(a.text) && !rec.nText.includes(a.text)) return false;
  }
  return term.phrase === null || rec.nTitle.includes(term.phrase) || rec.nText.includes(term.phrase);
}

function accepts(q, rec) {
  return q.clauses.every((c) => c.some((t) => termIn(t, rec))) && !q.exclude.some((t) => termIn(t, rec));
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Ranges [start, end, needle] where the query's positive terms occur in normalized text. */
function ranges(text, q) {
  const out = [];
  const needles = new Set();
  for (const c of q.clauses)
    for (const t of c) {
      if (t.phrase) needles.add('s' + t.phrase);
      for (const a of t.atoms) needles.add((a.kind === 'latin' ? 'w' : 's') + a.text);
    }
  let words = null;
  for (const n of needles) {
    const s = n.slice(1);
    if (n[0] === 's') {
      for (let i = text.indexOf(s); i >= 0 && out.length < 2000; i = text.indexOf(s, i + 1)) out.push([i, i + s.length, n]);
    } else {
      words ??= runs(text).filter((r) => r.kind === 'word');
      for (const r of words) if (foldPlural(r.text) === s) out.push([r.start, r.start + r.text.length, n]);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
}

/** Escape `text[from, to)` with <mark> around the ranges that fall inside it. */
function highlight(text, rs, from, to) {
  let html = '';
  let pos = from;
  for (const [s, e] of rs) {
    if (e <= pos || s >= to) continue;
    const a = Math.max(s, pos);
    const b = Math.min(e, to);
    html += escapeHtml(text.slice(pos, a)) + '<mark>' + escapeHtml(text.slice(a, b)) + '</mark>';
    pos = b;
  }
  return html + escapeHtml(text.slice(pos, to));
}

function snippet(rec, q) {
  const text = rec.text.replace(/\s+/g, ' ');
  const norm = rec.nText.replace(/\s+/g, ' ');
  const rs = ranges(norm, q);
  const cut = (end) => (end < text.length || !rec.full ? '…' : '');
  if (rs.length === 0) return escapeHtml(text.slice(0, SNIPPET_CHARS)) + cut(SNIPPET_CHARS);
  // The window that shows the most different query terms, earliest first.
  let best = 0;
  let bestCount = -1;
  for (let k = 0; k < rs.length && k < 300; k++) {
    const start = Math.max(0, rs[k][0] - 30);
    const seen = new Set();
    for (const r of rs) if (r[0] >= start && r[1] <= start + SNIPPET_CHARS) seen.add(r[2]);
    if (seen.size > bestCount) {
      bestCount = seen.size;
      best = start;
    }
  }
  const end = Math.min(text.length, best + SNIPPET_CHARS);
  return (best > 0 ? '…' : '') + highlight(text, rs, best, end) + cut(end);
}

function hit(doc, rec, q) {
  return {
    id: String(rec.id ?? doc),
    title: rec.title,
    titleHtml: highlight(rec.title, ranges(rec.nTitle, q), 0, rec.title.length),
    url: typeof rec.url === 'string' ? rec.url : null,
    date: typeof rec.date === 'string' ? rec.date : null,
    snippet: snippet(rec, q),
  };
}

/**
 * Search the static index. Resolves to the number of matching documents (`total`;
 * `totalExact` is false while some candidates beyond the page are unchecked) and the
 * requested page of hits, each with a snippet in which every character is escaped and
 * matches are wrapped in <mark>.
 */
export async function search(query, { limit = 10, offset = 0 } = {}) {
  limit = Math.max(0, Math.min(100, Math.floor(Number(limit) || 0)));
  offset = Math.max(0, Math.floor(Number(offset) || 0));
  const state = await load();
  const m = await match(query);
  const q = m.parsed;
  const want = offset + limit;
  const hits = [];
  if (m.exact) {
    const page = m.docs.slice(offset, want);
    const recs = await Promise.all(page.map((d) => checked(d, m, state.meta)));
    page.forEach((d, k) => hits.push(hit(d, recs[k].rec, q)));
    return { total: m.docs.length, totalExact: true, hits };
  }
  // Check candidates in rank order, a page at a time, until the page is full.
  let found = 0;
  let rejected = 0;
  let next = 0;
  while (found < want && next < m.docs.length) {
    const batch = m.docs.slice(next, next + Math.max(4, want - found));
    next += batch.length;
    const recs = await Promise.all(batch.map((d) => checked(d, m, state.meta)));
    batch.forEach((d, k) => {
      if (!recs[k].ok) {
        rejected++;
        return;
      }
      if (found >= offset && found < want) hits.push(hit(d, recs[k].rec, q));
      found++;
    });
  }
  const done = next >= m.docs.length;
  return { total: m.docs.length - rejected, totalExact: done, hits };
}
