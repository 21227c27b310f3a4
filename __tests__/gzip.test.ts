import { createGunzip, gunzipSync } from 'node:zlib';
import { deflateBody, gzipWithPrefix } from '../src/server/gzip';
import { rng } from '../scripts/lib/random';

/** Decompress with a streaming gunzip too: browsers and proxies read gzip as a stream. */
function gunzipStream(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const z = createGunzip();
    z.on('data', (c: Buffer) => out.push(c));
    z.on('end', () => resolve(Buffer.concat(out)));
    z.on('error', reject);
    for (let i = 0; i < data.length; i += 7) z.write(data.subarray(i, i + 7));
    z.end();
  });
}

describe('gzipWithPrefix', () => {
  const rand = rng(7);
  const words = ['图书馆', '开放', '"hits":[', '<mark>', '</mark>', 'search', '，', '2021-06-01T06:00:00Z', '\\u0000', '{"id":"'];
  const text = (n: number): string => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join('');
  const bodies: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('}')],
    ['a search-like answer (back-references within the body)', Buffer.from(text(400))],
    ['200 KB (several deflate blocks)', Buffer.from(text(25_000))],
    ['random bytes (stored blocks)', Buffer.from(Array.from({ length: 70_000 }, () => Math.floor(rand() * 256)))],
  ];
  const prefixes = ['', '{"tookMs":0.012,', '{"tookMs":12,', '前缀'.repeat(500)].map((p) => Buffer.from(p));

  test.each(bodies)('decompresses to the prefix followed by the body: %s', async (_name, body) => {
    const d = deflateBody(body);
    for (const prefix of prefixes) {
      const gz = gzipWithPrefix(prefix, d);
      const expected = Buffer.concat([prefix, body]);
      expect(gunzipSync(gz).equals(expected)).toBe(true);
      expect((await gunzipStream(gz)).equals(expected)).toBe(true);
    }
  });

  test('one compressed body serves many prefixes, and compresses', () => {
    const body = Buffer.from(text(2_000));
    const d = deflateBody(body);
    expect(d.deflated.length).toBeLessThan(body.length / 2);
    for (let i = 0; i < 50; i++) {
      const prefix = Buffer.from(`{"tookMs":${(rand() * 10).toFixed(3)},`);
      expect(gunzipSync(gzipWithPrefix(prefix, d)).toString()).toBe(prefix.toString() + body.toString());
    }
  });

  test('the trailer checks the whole stream: a changed byte of the prefix is detected', () => {
    const gz = gzipWithPrefix(Buffer.from('{"tookMs":1,'), deflateBody(Buffer.from(text(300))));
    gz[16] ^= 1; // inside the stored prefix (10 header bytes, 5 block-header bytes)
    expect(() => gunzipSync(gz)).toThrow(/incorrect data check/);
  });

  test('refuses a prefix longer than one stored block', () => {
    expect(() => gzipWithPrefix(Buffer.alloc(0x10000), deflateBody(Buffer.from('x')))).toThrow(/at most 65535/);
  });
});
