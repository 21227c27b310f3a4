import { normalize } from '../analysis/normalize';
import { phraseRules } from '../analysis/script';
import { ByteWriter, zigzag } from './format';

/**
 * The query normalization of the server, exported for the browser module so that a
 * query is folded exactly as the indexed text was (NFKC, lower case, whitespace,
 * traditional → simplified characters and same-length phrases).
 *
 * Layout: pair count, then (code delta, zigzag(mapped − code)) for every BMP code unit
 * that normalization changes; then phrase count and each phrase as length, its
 * character-folded source units and its target units.
 */
export function foldTableBytes(): Uint8Array {
  const table = new Uint16Array(0x10000);
  const w = new ByteWriter();
  const pairs: Array<[number, number]> = [];
  for (let c = 0; c < 0x10000; c++) {
    // A single unit never starts a phrase match (phrases are 2+ units), so this is the table itself.
    const m = c >= 0xd800 && c <= 0xdfff ? c : normalize(String.fromCharCode(c)).charCodeAt(0);
    table[c] = m;
    if (m !== c) pairs.push([c, m]);
  }
  w.varint(pairs.length);
  let prev = 0;
  for (const [c, m] of pairs) {
    w.varint(c - prev);
    w.varint(zigzag(m - c));
    prev = c;
  }
  const rules = phraseRules((s) => {
    let out = '';
    for (let i = 0; i < s.length; i++) out += String.fromCharCode(table[s.charCodeAt(i)]);
    return out;
  });
  const all = [...rules.byFirst.values()].flat();
  w.varint(all.length);
  for (const { from, to } of all) {
    w.varint(from.length);
    for (let i = 0; i < from.length; i++) w.varint(from.charCodeAt(i));
    for (let i = 0; i < to.length; i++) w.varint(to.charCodeAt(i));
  }
  return w.result();
}
