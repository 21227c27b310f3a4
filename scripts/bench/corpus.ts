import { promises as fs } from 'node:fs';
import { decodePost, parsePost, type Post } from '../../src';
import { walkCorpus } from '../../src/ingest/walk';

/**
 * Read and parse every post of a corpus folder exactly as zhsearch's build does
 * (same walk, same decoding, same parser, same defaults), so that every engine indexes
 * the same documents under the same ids. Skipped files are counted, not fatal.
 */
export async function readCorpus(dir: string): Promise<{ posts: Post[]; skipped: number }> {
  const { files, problems } = await walkCorpus(dir);
  const posts: Post[] = [];
  let skipped = problems.length;
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(f.path);
    } catch {
      skipped++;
      continue;
    }
    const decoded = decodePost(bytes);
    if (!decoded.ok) {
      skipped++;
      continue;
    }
    let parsed;
    try {
      parsed = parsePost(f.id, decoded.text);
    } catch {
      skipped++;
      continue;
    }
    if (parsed.ok) posts.push(parsed.post);
    else skipped++;
  }
  return { posts, skipped };
}
