import type { CorpusFile } from '../ingest/walk';

/** Split files into `n` contiguous parts of about equal total size (ids stay sorted). */
export function partition(files: readonly CorpusFile[], n: number): CorpusFile[][] {
  const parts: CorpusFile[][] = [];
  const total = files.reduce((s, f) => s + f.size, 0);
  let start = 0;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    const target = (total * (k + 1)) / n;
    let end = start;
    while (end < files.length && (k === n - 1 || acc + files[end].size <= target || end === start)) {
      acc += files[end].size;
      end++;
    }
    parts.push(files.slice(start, end));
    start = end;
  }
  return parts.filter((p) => p.length > 0);
}
