import { createGunzip, gunzipSync } from 'node:zlib';
import { deflateBody, gzipWithSuffix } from '../src/server/gzip';
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

/** The two parts as one stream, as the client receives them. */
const joined = (parts: readonly Buffer[]): Buffer => Buffer.concat(parts);

describe('gzipWithSuffix', () => {
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
  const suffixes = ['', ',"tookMs":0.012}', ',"tookMs":12}', '后缀'.repeat(500)].map((p) => Buffer.from(p));

  test.each(bodies)('decompresses to the body followed by the suffix: %s', async (_name, body) => {
    const d = deflateBody(body);
    for (const suffix of suffixes) {
      const gz = joined(gzipWithSuffix(d, suffix));
      const expected = Buffer.concat([body, suffix]);
      expect(gunzipSync(gz).equals(expected)).toBe(true);
      expect((await gunzipStream(gz)).equals(expected)).toBe(true);
    }
  });

  test('one compressed body serves many suffixes, and compresses', () => {
    const body = Buffer.from(text(2_000));
    const d = deflateBody(body);
    expect(d.head.length).toBeLessThan(body.length / 2);
    for (let i = 0; i < 50; i++) {
      const suffix = Buffer.from(`,"tookMs":${(rand() * 10).toFixed(3)}}`);
      expect(gunzipSync(joined(gzipWithSuffix(d, suffix))).toString()).toBe(body.toString() + suffix.toString());
    }
  });

  test('the trailer checks the whole stream: a changed byte of the suffix or of the body is detected', () => {
    const suffix = Buffer.from(',"tookMs":1}');
    const d = deflateBody(Buffer.from(text(300)));
    const gz = joined(gzipWithSuffix(d, suffix));
    const suffixAt = gz.length - 8 - suffix.length; // before the 8-byte trailer
    expect(gz.subarray(suffixAt, suffixAt + suffix.length).equals(suffix)).toBe(true);
    gz[suffixAt + 3] ^= 1;
    expect(() => gunzipSync(gz)).toThrow(/incorrect data check/);
    // A body whose checksum does not match its compressed blocks is caught the same way.
    expect(() => gunzipSync(joined(gzipWithSuffix({ ...d, crc: (d.crc ^ 1) >>> 0 }, suffix)))).toThrow(/incorrect data check/);
  });

  test('refuses a suffix longer than one stored block', () => {
    expect(() => gzipWithSuffix(deflateBody(Buffer.from('x')), Buffer.alloc(0x10000))).toThrow(/at most 65535/);
  });
});
