// `npm start` runs this first: compile into dist/ only when a source file is newer than
// its compiled output (after a `git pull` or an edit); otherwise it costs a few ms.
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');

/** The first .ts file under src/ or scripts/ whose .js in dist/ is missing or older, or null. */
function staleSource() {
  const stack = [join(root, 'src'), join(root, 'scripts')];
  while (stack.length > 0) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) stack.push(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) return relative(root, path);
      }
    }
  }
  return existsSync(join(root, 'dist', 'esm', 'index.mjs')) ? null : 'dist/esm';
}

const stale = staleSource();
if (stale) {
  process.stderr.write(`compiling (${stale} is newer than dist/)…\n`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
