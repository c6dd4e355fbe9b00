/**
 * scripts/serve.mjs cannot be fooled (issue 23): headers and file are chosen from one decoded,
 * normalised path (an encoded `..` under /embed/ once served a lesson page that any site could
 * frame), encoded separators and `..` are refused, symbolic links out of the site folder are not
 * followed, aborted downloads close their files, a read error ends one response and not the
 * server, `Range` requests are answered, and only the pages that run cells get 'unsafe-eval'.
 */
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../scripts/start-server.mjs';

const top = mkdtempSync(join(tmpdir(), 'serve-hardening-'));
const dir = join(top, 'site');
const model = Buffer.from(Array.from({ length: 8 * 1024 * 1024 }, (_, i) => (i * 31) % 251));
mkdirSync(join(dir, 'lessons', 'x'), { recursive: true });
mkdirSync(join(dir, 'embed', 'x', 'c'), { recursive: true });
mkdirSync(join(dir, 'bench'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
writeFileSync(join(dir, 'lessons', 'x', 'index.html'), '<!doctype html><title>LESSON</title>');
writeFileSync(join(dir, 'embed', 'x', 'c', 'index.html'), '<!doctype html><title>EMBED</title>');
writeFileSync(join(dir, 'bench', 'index.html'), '<!doctype html><title>bench</title>');
writeFileSync(join(dir, 'model.bin'), model);
writeFileSync(join(dir, 'locked.bin'), 'secret');
writeFileSync(join(top, 'outside.txt'), 'OUTSIDE');
symlinkSync(join(top, 'outside.txt'), join(dir, 'leak.txt'));
symlinkSync(top, join(dir, 'up'));
symlinkSync(join(dir, 'index.html'), join(dir, 'alias.html'));
for (const d of [top, dir]) chmodSync(d, 0o755);
chmodSync(join(dir, 'locked.bin'), 0o000);

let server: ChildProcess;
let stop = (): void => undefined;
let base = '';
/** Root reads any file: the server then runs as nobody, so that locked.bin cannot be read. */
const asNobody = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};

beforeAll(async () => {
  // Its warnings (the unreadable file) are expected: kept off the test's output.
  ({
    url: base,
    stop,
    child: server,
  } = await startServer({ distDir: dir, stderr: 'pipe', ...asNobody }));
});

afterAll(() => {
  stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (no client-side normalisation). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const csp = (a: Answer): string => String(a.headers['content-security-policy'] ?? '');

describe('serve.mjs: paths', () => {
  it('never serves a lesson page with the embed headers (encoded separators or ..)', async () => {
    for (const path of [
      '/embed/..%2Flessons%2Fx/',
      '/embed/x/..%2F..%2Flessons/x/',
      '/embed/%2e%2e/lessons/x/',
      '/embed/x/%2E%2E/%2E%2E/lessons/x/',
      '/embed/x/..%5C..%5Clessons/x/',
      '/embed/../lessons/x/',
    ]) {
      const a = await get(path);
      expect(a.status, path).toBe(400);
      expect(a.body.toString(), path).not.toContain('LESSON');
      expect(csp(a), path).not.toMatch(/frame-ancestors \*/);
    }
    const embed = await get('/embed/x/c/');
    expect(embed.body.toString()).toContain('EMBED');
    expect(csp(embed)).toMatch(/frame-ancestors \*/);
    expect(embed.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const lesson = await get('/lessons/x/');
    expect(lesson.body.toString()).toContain('LESSON');
    expect(csp(lesson)).toMatch(/frame-ancestors 'self'/);
    expect(lesson.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('decides the headers on the decoded path (an encoded letter is still /embed/)', async () => {
    const a = await get('/%65mbed/x/c/');
    expect(a.body.toString()).toContain('EMBED');
    expect(csp(a)).toMatch(/frame-ancestors \*/);
    // A doubled slash is the same path, and its redirect never names another host.
    const r = await get('//lessons/x');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/lessons/x/');
  });

  it('does not follow a symbolic link out of the site folder', async () => {
    expect(readlinkSync(join(dir, 'leak.txt'))).toContain('outside.txt');
    for (const path of ['/leak.txt', '/up/outside.txt']) {
      const a = await get(path);
      expect(a.status, path).toBe(404);
      expect(a.body.toString(), path).not.toContain('OUTSIDE');
    }
    const inside = await get('/alias.html');
    expect(inside.status).toBe(200);
    expect(inside.body.toString()).toContain('home');
  });
});

describe('serve.mjs: streams', () => {
  it('closes the file of every aborted download', async () => {
    const pid = server.pid ?? 0;
    const openModel = (): number =>
      readdirSync(`/proc/${String(pid)}/fd`).filter((fd) => {
        try {
          return readlinkSync(`/proc/${String(pid)}/fd/${fd}`).endsWith('model.bin');
        } catch {
          return false;
        }
      }).length;
    const url = new URL(base);
    await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<void>((resolve) => {
            const req = request(
              { host: url.hostname, port: url.port, path: '/model.bin' },
              (res) => {
                res.once('data', () => {
                  req.destroy();
                  resolve();
                });
              },
            );
            req.on('error', () => {
              resolve();
            });
            req.end();
          }),
      ),
    );
    const end = Date.now() + 3000;
    while (openModel() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(openModel()).toBe(0);
  });

  it('answers a file it cannot read with an error, and keeps serving', async () => {
    const a = await get('/locked.bin');
    expect(a.status).toBe(500);
    expect(a.body.toString()).not.toContain('secret');
    expect((await get('/')).status).toBe(200);
    expect(server.exitCode).toBeNull();
  });

  it('answers Range requests (206, 416), uncompressed', async () => {
    const first = await get('/model.bin', { range: 'bytes=0-99' });
    expect(first.status).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-99/${String(model.length)}`);
    expect(first.body.equals(model.subarray(0, 100))).toBe(true);
    const tail = await get('/model.bin', { range: 'bytes=-10' });
    expect(tail.body.equals(model.subarray(model.length - 10))).toBe(true);
    const middle = await get('/model.bin', { range: 'bytes=4194304-' });
    expect(middle.body.equals(model.subarray(4194304))).toBe(true);
    const html = await get('/index.html', { range: 'bytes=2-5', 'accept-encoding': 'gzip' });
    expect(html.status).toBe(206);
    expect(html.headers['content-encoding']).toBeUndefined();
    expect(html.body.toString()).toBe('doct');
    const beyond = await get('/model.bin', { range: `bytes=${String(model.length)}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${String(model.length)}`);
    const whole = await get('/model.bin', { range: 'bytes=0-1,5-6' });
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(Number(whole.headers['content-length'])).toBe(model.length);
  });
});

describe('serve.mjs: headers', () => {
  it("sends a Permissions-Policy, and 'unsafe-eval' only on pages where cells run", async () => {
    for (const path of [
      '/',
      '/bench/',
      '/model.bin',
      '/no-such-page/',
      '/lessons/x/',
      '/embed/x/c/',
      '/ja/',
      '/ja/data/',
      '/ja/lessons/x/',
      '/ja/embed/x/c/',
    ]) {
      const a = await get(path);
      expect(a.headers['permissions-policy'], path).toMatch(/camera=\(\)/);
      const evalAllowed = /^(\/ja)?\/(lessons|embed)\//.test(path);
      expect(csp(a).includes("'unsafe-eval'"), path).toBe(evalAllowed);
      expect(csp(a), path).toMatch(/script-src 'self'( 'unsafe-eval')? 'wasm-unsafe-eval'/);
    }
  });
});
