import { readFileSync } from 'node:fs';

export { descendantPids } from '../../scripts/lib/proc';

/**
 * Whether process `pid` has a jieba backend's native module mapped (nodejieba.node,
 * @node-rs/jieba's jieba.linux-*.node): it loaded a dictionary itself, on any thread.
 */
export function mapsJieba(pid: number): boolean {
  return /jieba[^/\n]*\.node$/m.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
}
