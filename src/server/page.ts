import express, { type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { escapeHtml } from '../query/snippet';

/** The search page's files (src/server/public). */
export function pageFiles(): RequestHandler {
  return express.static(publicDir(), { index: 'index.html', dotfiles: 'ignore', fallthrough: true });
}

/**
 * GET /opensearch.xml. Its URLs come from `publicUrl` (or are relative), never from the
 * Host header: a cache in front that ignores Host would keep and serve a description
 * pointing wherever one request said.
 */
export function openSearchRoute(publicUrl: string | undefined): RequestHandler {
  const xml = openSearchXml(publicUrl?.replace(/\/+$/, '') ?? '');
  return (_req, res) => {
    res.type('application/opensearchdescription+xml').send(xml);
  };
}

/** The OpenSearch description; `base` is the public URL without a trailing slash, or '' for relative URLs. */
function openSearchXml(base: string): string {
  const b = escapeHtml(base);
  return `<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>zhsearch</ShortName>
  <Description>zhsearch 中文全文搜索</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="${b}/?q={searchTerms}"/>
</OpenSearchDescription>
`;
}

/** The static page folder, found from the package root (works from src/ and dist/src/). */
function publicDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'src', 'server', 'public');
    dir = dirname(dir);
  }
  return join(__dirname, 'public');
}
