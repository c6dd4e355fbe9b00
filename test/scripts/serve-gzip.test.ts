/**
 * scripts/serve.mjs compresses text as static hosts do: gzip for clients that accept it (same
 * bytes once decompressed, correct Content-Length, `Vary`), never for binary files or clients
 * that refuse it, and HEAD answers with the same headers as GET.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../scripts/start-server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'serve-gzip-'));
const html = `<!doctype html><title>x</title>${'<p>lesson text</p>'.repeat(500)}`;
const wasm = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 7));
writeFileSync(join(dir, 'index.html'), html);
writeFileSync(join(dir, 'a.wasm'), wasm);

let stop = (): void => undefined;
let base = '';

beforeAll(async () => {
  ({ url: base, stop } = await startServer({ distDir: dir }));
});

afterAll(() => {
  stop();
});

function get(
  path: string,
  method: 'GET' | 'HEAD',
  acceptEncoding?: string,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method,
        headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('serve.mjs compression', () => {
  it('sends HTML gzip-compressed to a client that accepts it', async () => {
    const { headers, body } = await get('/', 'GET', 'gzip, deflate, br');
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers.vary).toBe('Accept-Encoding');
    expect(Number(headers['content-length'])).toBe(body.byteLength);
    expect(body.byteLength).toBeLessThan(html.length / 10);
    expect(gunzipSync(body).toString('utf8')).toBe(html);
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  });
  it('sends it as it is without Accept-Encoding, or with gzip;q=0', async () => {
    for (const accept of [undefined, 'gzip;q=0', 'br']) {
      const { headers, body } = await get('/', 'GET', accept);
      expect(headers['content-encoding']).toBeUndefined();
      expect(body.toString('utf8')).toBe(html);
      expect(Number(headers['content-length'])).toBe(html.length);
    }
  });
  it('never compresses binary files', async () => {
    const { headers, body } = await get('/a.wasm', 'GET', 'gzip');
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['content-type']).toBe('application/wasm');
    expect(body.equals(wasm)).toBe(true);
  });
  it('answers HEAD with the same headers as GET, and no body', async () => {
    const got = await get('/', 'GET', 'gzip');
    const head = await get('/', 'HEAD', 'gzip');
    expect(head.body.byteLength).toBe(0);
    for (const name of ['content-encoding', 'content-length', 'content-type', 'vary'])
      expect(head.headers[name]).toBe(got.headers[name]);
  });
});
