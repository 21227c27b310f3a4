import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ensureDist, ROOT } from './helpers/dist';
import { renderPost, tempDir } from './helpers/corpus';
import { rawRequest } from './helpers/server';

/**
 * `npm start -- --watch` as shipped (compiled, the watcher on a worker thread): a post
 * written into the corpus becomes searchable through the running server.
 */

jest.setTimeout(240_000);

test('npm start -- --watch: a new post is found through the server, which then stops cleanly', async () => {
  ensureDist();
  const corpus = tempDir();
  const index = tempDir();
  writeFileSync(join(corpus.dir, 'a.md'), renderPost({ title: '旧闻', date: '2024-01-01', body: '<p>河堤加固工程完工。</p>' }));
  const proc = spawn(process.execPath, [join(DIST, 'start.js'), '--corpus', corpus.dir, '--watch'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', INDEX_DIR: index.dir, LOG_LEVEL: 'silent', RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      proc.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /serving (http:\/\/\S+), watching/.exec(stderr);
        if (m) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const total = async (q: string): Promise<number> =>
      ((await rawRequest(url, `/api/search?q=${encodeURIComponent(q)}`)).json as { total: number }).total;
    expect(await total('河堤')).toBe(1);
    writeFileSync(join(corpus.dir, 'b.md'), renderPost({ title: '新闻', date: '2024-02-02', body: '<p>候鸟保护区扩建。</p>' }));
    const deadline = Date.now() + 180_000;
    while ((await total('候鸟')) === 0) {
      if (Date.now() > deadline) throw new Error(`the new post was never found; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stderr).toMatch(/incremental: 1 added, 0 changed, 0 removed/);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    proc.kill('SIGKILL');
    corpus.cleanup();
    index.cleanup();
  }
});
