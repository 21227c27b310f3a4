import type { AddressInfo } from 'node:net';
import { buildIndex, SearchEngine } from 'zhsearch';
import { createApp, createHttpServer } from 'zhsearch/server';

// Index a folder of Markdown/HTML posts (given as the first argument), then open it.
const corpus = process.argv[2] ?? 'posts';
await buildIndex({ corpus, out: 'index-data' });
const engine = await SearchEngine.open('index-data');

// Search from your own code.
const result = engine.search('青川 高温', { limit: 3 });
console.log(`${result.total} results`);
for (const hit of result.hits) console.log(hit.date?.slice(0, 10), hit.title);

// Serve the search page and the JSON API (PORT=0 picks a free port).
const server = createHttpServer(createApp(engine));
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
