import type { AddressInfo } from 'node:net';
import { buildIndex, SearchEngine } from 'zhsearch';
import { createApp, createHttpServer } from 'zhsearch/server';

// The same in CommonJS (no top-level await): index, search, serve.
async function main(corpus: string): Promise<void> {
  await buildIndex({ corpus, out: 'index-data' });
  const engine = await SearchEngine.open('index-data');
  const result = engine.search('青川 高温', { limit: 3 });
  console.log(`${result.total} results`);
  for (const hit of result.hits) console.log(hit.date?.slice(0, 10), hit.title);

  const server = createHttpServer(createApp(engine));
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    console.log(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
}

main(process.argv[2] ?? 'posts').catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
