import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The fenced code blocks of a Markdown text. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe('README', () => {
  // CI (scripts/ci/pack-check.sh) compiles and runs these files: the README must show them as they are.
  test.each(['embed.mts', 'embed.cts'])('shows docs/examples/%s verbatim as a code block', (file) => {
    const example = readFileSync(join(ROOT, 'docs', 'examples', file), 'utf8');
    expect(codeBlocks(readme)).toContain(example);
  });

  test('fits on a few screens (at most 12.5 KB)', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_500);
  });

  test('links only to docs that exist', () => {
    const docs = new Set(readdirSync(join(ROOT, 'docs')));
    const linked = [...readme.matchAll(/\]\(docs\/([^)/#]+)/g)].map((m) => m[1]);
    expect(linked.length).toBeGreaterThan(4);
    for (const file of linked) expect(docs).toContain(file);
  });

  test('sends Chinese to the API percent-encoded (curl -G --data-urlencode), never raw in the URL', () => {
    const curls = readme.split('\n').filter((l) => /\bcurl\b/.test(l));
    expect(curls.length).toBeGreaterThan(0);
    for (const line of curls) {
      const url = /['"]?(\S*\/api\/\S*)/.exec(line)?.[1] ?? '';
      expect(url).not.toMatch(/[^\p{ASCII}]/u);
    }
  });
});
