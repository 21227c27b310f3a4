#!/usr/bin/env node
/*
 * Part of `npm ci` / `npm install` in this repository (the `prepare` script; it does not run
 * when zhsearch is installed as a dependency): applies scripts/patches/ with patch-package
 * and recompiles nodejieba when its patched source is newer than its binary.
 *
 * The patch makes nodejieba's TextRank extractor share the segmenter's dictionary instead of
 * loading a second copy: about 110 MB less in every process that loads jieba (server,
 * segmenter thread, build workers). Segmentation is unchanged. When patching or compiling
 * fails, the unpatched binary is kept and a warning says so: zhsearch works the same, with
 * the larger footprint.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = dirname(__dirname);
const MARK = "TextRank shares the segmenter's dictionary";

function warn(message) {
  console.warn(`patch-nodejieba: ${message}; nodejieba keeps loading its dictionary twice (about 110 MB more per process)`);
}

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return r.status === 0
    ? null
    : `${[command, ...args].join(' ')} exited with ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`;
}

function main() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('nodejieba/package.json', { paths: [root] }));
  } catch {
    return; // nodejieba is not installed: nothing to patch
  }
  let patchPackage;
  try {
    patchPackage = require.resolve('patch-package/index.js', { paths: [root] });
  } catch {
    return warn('patch-package is not installed (npm ci --omit=dev)');
  }
  const source = join(pkgDir, 'lib', 'nodejieba.cpp');
  const binary = join(pkgDir, 'build', 'Release', 'nodejieba.node');
  if (!readFileSync(source, 'utf8').includes(MARK)) {
    const failed = run(process.execPath, [patchPackage, '--patch-dir', 'scripts/patches'], root);
    if (failed) return warn(failed);
  }
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(source).mtimeMs) return;

  // Outside build/: the rebuild starts by deleting that folder.
  const backup = join(pkgDir, '.nodejieba.node.unpatched');
  if (existsSync(binary)) copyFileSync(binary, backup);
  const preGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: [root] });
  const failed = run(process.execPath, [preGyp, 'rebuild'], pkgDir);
  if (failed || !existsSync(binary)) {
    if (existsSync(backup)) {
      mkdirSync(dirname(binary), { recursive: true });
      renameSync(backup, binary);
    }
    return warn(failed ?? 'the rebuild left no binary');
  }
  rmSync(backup, { force: true });
  console.log('patch-nodejieba: nodejieba recompiled with its TextRank extractor sharing the dictionary');
}

main();
