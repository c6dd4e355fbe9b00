import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { offlineManifest, offlineServiceWorker } from '../../src/offline/build.ts';
import {
  buildEntries,
  cacheName,
  fingerprintText,
  isBuiltFile,
  NETWORK_TIMEOUT_MS,
  networkFirst,
  offlineMessage,
  offlinePage,
  pageKey,
  routeOf,
  sha256Hex,
  staleCaches,
  statusOf,
  urlPathOf,
  type BuiltFile,
  type RequestFacts,
} from '../../src/offline/plan.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const file = (path: string, content = path): BuiltFile => ({
  path,
  sha256: sha(content),
  bytes: content.length,
});

describe('cache names', () => {
  it('names the cache after the build and rejects a version that is not hex, quoting it', () => {
    expect(cacheName('0123abcd')).toBe('lora-live-0123abcd');
    expect(() => cacheName('v1')).toThrow(
      'cacheName: version must be 8 to 64 hex digits, got "v1"',
    );
    expect(() => cacheName('')).toThrow(/got ""/);
  });

  it('lists only older caches of this site as stale, never the current one or other apps', () => {
    const current = cacheName('aaaaaaaa');
    expect(
      staleCaches(['lora-live-bbbbbbbb', current, 'other-app', 'lora-live-cccccccc'], current),
    ).toEqual(['lora-live-bbbbbbbb', 'lora-live-cccccccc']);
    expect(staleCaches([current], current)).toEqual([]);
  });
});

describe('the manifest of a build', () => {
  const files = [
    file('index.html'),
    file('lessons/training-run/index.html'),
    file('_astro/tfjs.abc.js'),
    file('_astro/tfjs-backend-wasm.x.wasm'),
    file('embed/training-run/0/index.html'),
    file('bench/index.html'),
    file('bench-train/index.html'),
    file('404.html'),
    file('_headers'),
    file('sw.js'),
    file('_astro/mount.js.map'),
    file('models/tiny-roberta/model.safetensors', 'weights'),
    file('generated/mnist/train-images.idx'),
    file('data/sentiment.json'),
    file('results/intrinsic/mnist.json'),
  ];

  it('saves pages (as their URLs), assets and data, and leaves out embeds, bench pages and build files', () => {
    const entries = buildEntries(files);
    expect(entries.map((e) => [e.path, e.group])).toEqual([
      ['', 'shell'],
      ['_astro/tfjs-backend-wasm.x.wasm', 'shell'],
      ['_astro/tfjs.abc.js', 'shell'],
      ['data/sentiment.json', 'shell'],
      ['generated/mnist/train-images.idx', 'data'],
      ['lessons/training-run/', 'shell'],
      ['models/tiny-roberta/model.safetensors', 'data'],
      ['results/intrinsic/mnist.json', 'shell'],
    ]);
    const model = entries.find((e) => e.path.endsWith('model.safetensors'));
    expect(model).toEqual({
      path: 'models/tiny-roberta/model.safetensors',
      revision: sha('weights'),
      bytes: 'weights'.length,
      group: 'data',
    });
  });

  it("saves the Japanese edition's pages and leaves out its embeds, as the English ones", () => {
    const entries = buildEntries([
      file('ja/index.html'),
      file('ja/lessons/training-run/index.html'),
      file('ja/data/index.html'),
      file('ja/instructors/index.html'),
      file('ja/licences/index.html'),
      file('ja/embed/training-run/0/index.html'),
      file('ja/embed/how-these-notebooks-work/rankPlot/index.html'),
    ]);
    expect(entries.map((e) => [e.path, e.group])).toEqual([
      ['ja/', 'shell'],
      ['ja/data/', 'shell'],
      ['ja/instructors/', 'shell'],
      ['ja/lessons/training-run/', 'shell'],
      ['ja/licences/', 'shell'],
    ]);
  });

  it('gives the same fingerprint whatever the order of the files, and another when one file changes', () => {
    const a = fingerprintText(buildEntries(files));
    expect(fingerprintText(buildEntries([...files].reverse()))).toBe(a);
    const changed = files.map((f) => (f.path === 'data/sentiment.json' ? file(f.path, 'new') : f));
    expect(fingerprintText(buildEntries(changed))).not.toBe(a);
    // A file that is never saved does not change the version (no reinstall for nothing).
    const bench = files.map((f) => (f.path === 'bench/index.html' ? file(f.path, 'new') : f));
    expect(fingerprintText(buildEntries(bench))).toBe(a);
  });

  it('rejects a path listed twice, a bad digest and a path that is not relative, naming them', () => {
    expect(() => buildEntries([file('a.js'), file('a.js')])).toThrow(
      'buildEntries: a.js is listed twice',
    );
    expect(() => buildEntries([{ path: 'a.js', sha256: 'xyz', bytes: 1 }])).toThrow(
      'buildEntries: sha256 of a.js must be 64 hex digits, got "xyz"',
    );
    expect(() => buildEntries([file('/etc/passwd')])).toThrow(/got "\/etc\/passwd"/);
    expect(() => buildEntries([file('a\\b.js')])).toThrow(/with \/ separators/);
  });

  it('maps index.html files to their directory URL', () => {
    expect(urlPathOf('index.html')).toBe('');
    expect(urlPathOf('data/index.html')).toBe('data/');
    expect(urlPathOf('data/sentiment.json')).toBe('data/sentiment.json');
  });
});

describe('routes', () => {
  const facts = (over: Partial<RequestFacts>): RequestFacts => ({
    method: 'GET',
    mode: 'cors',
    url: 'https://site.test/data/sentiment.json',
    origin: 'https://site.test',
    base: '/',
    range: false,
    ...over,
  });

  it('answers page loads network first, hashed assets from the cache, other files network first', () => {
    expect(routeOf(facts({ mode: 'navigate', url: 'https://site.test/lessons/x/?test=1' }))).toBe(
      'page',
    );
    expect(routeOf(facts({ url: 'https://site.test/_astro/tfjs.abc.js' }))).toBe('immutable');
    expect(routeOf(facts({}))).toBe('file');
  });

  it('never intercepts embeds, its own script, other hosts, other methods or byte ranges', () => {
    expect(routeOf(facts({ mode: 'navigate', url: 'https://site.test/embed/a/b/' }))).toBe('pass');
    expect(routeOf(facts({ url: 'https://site.test/embed/a/b/x.js' }))).toBe('pass');
    expect(routeOf(facts({ mode: 'navigate', url: 'https://site.test/ja/embed/a/b/' }))).toBe(
      'pass',
    );
    expect(routeOf(facts({ mode: 'navigate', url: 'https://site.test/ja/lessons/a/' }))).toBe(
      'page',
    );
    expect(routeOf(facts({ url: 'https://site.test/sw.js' }))).toBe('pass');
    expect(routeOf(facts({ url: 'https://other.test/data/sentiment.json' }))).toBe('pass');
    expect(routeOf(facts({ method: 'POST' }))).toBe('pass');
    expect(routeOf(facts({ range: true }))).toBe('pass');
  });

  it('keeps to the base path', () => {
    const base = '/course/';
    expect(routeOf(facts({ base, url: 'https://site.test/course/_astro/a.js' }))).toBe('immutable');
    expect(routeOf(facts({ base, url: 'https://site.test/elsewhere/a.js' }))).toBe('pass');
    expect(routeOf(facts({ base, url: 'https://site.test/course/embed/a/b/' }))).toBe('pass');
    expect(routeOf(facts({ base, url: 'https://site.test/course/ja/embed/a/b/' }))).toBe('pass');
  });

  it('saves pages under one key whatever the query or the index.html', () => {
    expect(pageKey('/lessons/x/')).toBe('/lessons/x/');
    expect(pageKey('/lessons/x')).toBe('/lessons/x/');
    expect(pageKey('/lessons/x/index.html')).toBe('/lessons/x/');
    expect(pageKey('/')).toBe('/');
    expect(pageKey('/favicon.svg')).toBe('/favicon.svg');
  });
});

describe('offline answers', () => {
  it('name the address, escaped, and link the saved pages', () => {
    const html = offlinePage('/lessons/<script>alert(1)</script>/', ['/', '/lessons/a/']);
    expect(html).toContain('<h1>You are offline</h1>');
    expect(html).toContain('/lessons/&#60;script&#62;alert(1)&#60;/script&#62;/ is not saved');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="/lessons/a/">/lessons/a/</a>');
    expect(offlineMessage('/x.json')).toBe(
      'You are offline, and /x.json is not saved on this device for offline use.',
    );
  });

  it('speak the edition of the address', () => {
    const html = offlinePage('/course/ja/lessons/a/', ['/course/ja/'], '/course/');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<h1>オフラインです</h1>');
    expect(html).toContain('/course/ja/lessons/a/ はこの端末に');
    expect(offlinePage('/course/lessons/a/', [], '/course/')).toContain('<html lang="en">');
  });

  it('count what is saved per group and list what is missing', () => {
    const manifest = {
      version: 'abcdef12',
      entries: buildEntries([
        file('index.html'),
        file('_astro/a.js'),
        file('models/m.bin'),
        file('generated/g.idx'),
      ]),
    };
    expect(statusOf(manifest, new Set(['', '_astro/a.js', 'models/m.bin']))).toEqual({
      version: 'abcdef12',
      shell: { saved: 2, total: 2 },
      data: { saved: 1, total: 2 },
      missing: ['generated/g.idx'],
    });
  });
});

describe('the build step', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offline-build-'));
    const put = async (path: string, content: string) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    };
    await put('index.html', '<!doctype html>');
    await put('lessons/a/index.html', 'lesson a');
    await put('_astro/app.1234.js', 'console.log(1)');
    await put('models/tiny/model.safetensors', 'weights');
    await put('embed/a/0/index.html', 'embed');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the output directory with real digests, and the version follows the content', async () => {
    const manifest = await offlineManifest(dir);
    expect(manifest.entries.map((e) => e.path)).toEqual([
      '',
      '_astro/app.1234.js',
      'lessons/a/',
      'models/tiny/model.safetensors',
    ]);
    expect(manifest.entries[2]?.revision).toBe(sha('lesson a'));
    expect(manifest.version).toMatch(/^[0-9a-f]{16}$/);
    expect((await offlineManifest(dir)).version).toBe(manifest.version);
    await writeFile(join(dir, 'lessons/a/index.html'), 'lesson a, edited');
    expect((await offlineManifest(dir)).version).not.toBe(manifest.version);
  });

  it('writes sw.js with the manifest compiled in, and it registers its four listeners', async () => {
    const integration = offlineServiceWorker({ 'X-Test': 'yes' });
    const hooks = integration.hooks as Record<string, (arg: unknown) => Promise<void> | void>;
    const root = pathToFileURL(join(import.meta.dirname, '..', '..') + '/');
    await hooks['astro:config:done']?.({ config: { base: '/', root } });
    const logged: string[] = [];
    await hooks['astro:build:done']?.({
      dir: pathToFileURL(`${dir}/`),
      logger: { info: (m: string) => logged.push(m) },
    });
    const script = await readFile(join(dir, 'sw.js'), 'utf8');
    const { version } = await offlineManifest(dir);
    expect(script).toContain(version);
    expect(logged[0]).toMatch(/3 files, .* MB saved at install; 1 files, .* MB in the background/);
    const listeners: string[] = [];
    runInNewContext(script, {
      self: {
        addEventListener: (type: string) => listeners.push(type),
        location: { origin: 'https://site.test' },
      },
      URL,
      Map,
      Set,
    });
    expect(listeners.sort()).toEqual(['activate', 'fetch', 'install', 'message']);
  });
});

describe('integrity and slow networks (issue 23)', () => {
  const entry = { revision: sha('console.log(1)') };
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('keeps the full SHA-256 of each file and accepts only a body with that digest', async () => {
    const [one] = buildEntries([file('_astro/app.1.js', 'console.log(1)')]);
    expect(one?.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(await sha256Hex(bytes('console.log(1)'))).toBe(sha('console.log(1)'));
    expect(await isBuiltFile(bytes('console.log(1)'), entry)).toBe(true);
    // A captive portal's page, an error page sent with 200, a truncated or half-deployed file.
    for (const other of ['<html>Sign in to the Wi-Fi</html>', 'console.log(', 'console.log(2)', ''])
      expect(await isBuiltFile(bytes(other), entry), other).toBe(false);
  });

  it('network first: the saved copy when the network is slower than the limit', async () => {
    const never = new Promise<string>(() => undefined);
    const start = Date.now();
    expect(await networkFirst(never, () => Promise.resolve('saved'), 50)).toEqual({
      response: 'saved',
      fromNetwork: false,
    });
    expect(Date.now() - start).toBeLessThan(1000);
    expect(NETWORK_TIMEOUT_MS).toBeGreaterThan(0);
  });

  it('network first: the network when it answers in time, or late when nothing is saved', async () => {
    const late = new Promise<string>((resolve) =>
      setTimeout(() => {
        resolve('network');
      }, 120),
    );
    expect(await networkFirst(late, () => Promise.resolve(undefined), 30)).toEqual({
      response: 'network',
      fromNetwork: true,
    });
    expect(await networkFirst(Promise.resolve('fast'), () => Promise.resolve('saved'), 30)).toEqual(
      { response: 'fast', fromNetwork: true },
    );
    await expect(
      networkFirst(Promise.reject(new TypeError('offline')), () => Promise.resolve('saved'), 30),
    ).rejects.toThrow('offline');
  });
});
