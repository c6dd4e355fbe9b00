/**
 * The shipped-files loader (src/cells/kit/site.ts, site-node.ts): one reader for pages, the cell
 * tests and Node; every failure names the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createSite,
  fetchReader,
  siteBaseOf,
  SiteFileError,
  weightsNote,
  type ReadFile,
} from '../../../src/cells/kit/site.ts';
import { directoryReader, directorySite, modelFolder } from '../../../src/cells/kit/site-node.ts';
import { sha256Hex } from '../../../src/core/data/integrity.ts';
import { arr, int, num, obj, parse } from '../../../src/core/schema.ts';
import { parseInitialisationResults } from '../../../src/experiments/initialisation/results.ts';
import {
  parseMnistResults,
  parseSentimentIntrinsicResults,
} from '../../../src/experiments/intrinsic/results.ts';
import { parsePlacementResults } from '../../../src/experiments/placement/results.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const shippedManifest = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../../public/models/tiny-roberta/manifest.json'),
    'utf8',
  ),
) as Record<string, unknown>;

/** A reader over files held in memory; a missing one fails as a server's 404 would. */
function memoryReader(files: Record<string, Uint8Array>): ReadFile {
  return (path) => {
    const body = files[path];
    return body ? Promise.resolve(body) : Promise.reject(new SiteFileError(path, 'HTTP 404', true));
  };
}

async function modelFiles(overrides: Record<string, Uint8Array> = {}) {
  const files: Record<string, Uint8Array> = {
    'config.json': utf8('{"hidden_size": 8}'),
    'tokenizer.json': utf8('{"vocab": ["a"]}'),
    'model.safetensors': new Uint8Array([1, 2, 3, 4]),
  };
  // The shipped manifest with these files' hashes: a manifest must fit the core's schema.
  const manifest = {
    ...shippedManifest,
    files: {} as Record<string, { bytes: number; sha256: string }>,
  };
  for (const [name, bytes] of Object.entries(files))
    manifest.files[name] = { bytes: bytes.length, sha256: await sha256Hex(bytes) };
  const all: Record<string, Uint8Array> = {
    'models/m/manifest.json': utf8(JSON.stringify(manifest)),
  };
  for (const [name, bytes] of Object.entries({ ...files, ...overrides }))
    all[`models/m/${name}`] = bytes;
  return { all, manifest };
}

describe('createSite', () => {
  it('reads bytes, text and JSON', async () => {
    const site = createSite('https://x/', memoryReader({ 'a.json': utf8('{"n": 2}') }));
    expect(site.available).toBe(true);
    expect(await site.json('a.json')).toEqual({ n: 2 });
    expect(await site.text('a.json')).toBe('{"n": 2}');
    expect([...(await site.bytes('a.json'))].length).toBe(8);
  });

  it('names the file that is missing, or that is not JSON', async () => {
    const site = createSite('https://x/', memoryReader({ 'bad.json': utf8('{oops') }));
    await expect(site.json('results/none.json')).rejects.toThrow(/^results\/none\.json: HTTP 404$/);
    const error = await site.json('bad.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiteFileError);
    expect((error as SiteFileError).file).toBe('bad.json');
    expect((error as Error).message).toMatch(/^bad\.json: is not valid JSON \(/);
  });

  it('without a site, every read fails naming the file (no fetch is tried)', async () => {
    const site = createSite(null, null);
    expect(site.available).toBe(false);
    await expect(site.bytes('data/x.json')).rejects.toThrow(
      'data/x.json: there is no site to load it from',
    );
    expect(await site.modelSha256()).toBeNull();
  });

  it('a reader that fails with a plain error is reported with the file', async () => {
    const site = createSite('https://x/', () => Promise.reject(new Error('disk on fire')));
    await expect(site.bytes('a.bin')).rejects.toThrow('a.bin: could not be read (disk on fire)');
  });

  it('loads a model whose files match its manifest', async () => {
    const { all, manifest } = await modelFiles();
    const model = await createSite('https://x/', memoryReader(all)).model('m');
    expect(model.config).toEqual({ hidden_size: 8 });
    expect(model.tokenizer).toEqual({ vocab: ['a'] });
    expect([...model.weights]).toEqual([1, 2, 3, 4]);
    expect(model.sha256).toBe(manifest.files['model.safetensors']?.sha256);
  });

  it('refuses a damaged model file, naming it; verify: false loads it anyway', async () => {
    const { all } = await modelFiles({ 'model.safetensors': new Uint8Array([1, 2, 3, 5]) });
    const site = createSite('https://x/', memoryReader(all));
    await expect(site.model('m')).rejects.toThrow(
      /^models\/m\/model\.safetensors: .*damaged or from another version/,
    );
    expect([...(await site.model('m', { verify: false })).weights]).toEqual([1, 2, 3, 5]);
  });

  it('a manifest that does not fit its schema is refused, naming the file and the field', async () => {
    const { all } = await modelFiles();
    all['models/m/manifest.json'] = utf8(JSON.stringify({ files: {} }));
    const site = createSite('https://x/', memoryReader(all));
    await expect(site.model('m')).rejects.toThrow(
      /^models\/m\/manifest\.json: does not fit its schema \(manifest\.json\.name = undefined \(missing\)/,
    );
    expect(await site.modelSha256('m')).toBeNull();
  });

  it('modelSha256: the manifest’s hash, or null when there is none', async () => {
    const { all, manifest } = await modelFiles();
    const site = createSite('https://x/', memoryReader(all));
    expect(await site.modelSha256('m')).toBe(manifest.files['model.safetensors']?.sha256);
    expect(await site.modelSha256('absent')).toBeNull();
  });
});

describe('optional files and results', () => {
  it('optionalJson: null for a file the site lacks, an error for a broken one', async () => {
    const site = createSite('https://x/', memoryReader({ 'bad.json': utf8('[1,') }));
    expect(await site.optionalJson('none.json')).toBeNull();
    await expect(site.optionalJson('bad.json')).rejects.toThrow(/^bad\.json: is not valid JSON/);
    const failing = createSite('https://x/', () => Promise.reject(new Error('reset')));
    await expect(failing.optionalJson('a.json')).rejects.toThrow(
      'a.json: could not be read (reset)',
    );
    expect(await createSite(null, null).optionalJson('a.json')).toBeNull();
  });

  it('results carry a note when made with other weights than the model served', async () => {
    const { all, manifest } = await modelFiles();
    const served = manifest.files['model.safetensors']?.sha256 ?? '';
    const results = (sha: string | null) =>
      utf8(JSON.stringify({ points: [1], settings: sha === null ? {} : { modelSha256: sha } }));
    const site = createSite('https://x/', memoryReader({ 'results/list.json': utf8('[1]') }));
    // Results are compared with the default model's manifest: ship model "m" under its name.
    const renamed: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(all))
      renamed[k.replace('models/m/', 'models/tiny-roberta/')] = v;
    const shipped = createSite(
      'https://x/',
      memoryReader({
        ...renamed,
        'results/same.json': results(served),
        'results/other.json': results('ab'.repeat(32)),
        'results/unknown.json': results(null),
      }),
    );
    expect(await shipped.results('results/same.json')).toEqual({
      points: [1],
      settings: { modelSha256: served },
      modelNote: '',
    });
    expect((await shipped.results('results/other.json'))?.modelNote).toMatch(
      /^ These results were made with other weights \(abababab…\) than the pretrained model this site serves now \(/,
    );
    expect((await shipped.results('results/unknown.json'))?.modelNote).toMatch(/do not record/);
    expect(await shipped.results('results/none.json')).toBeNull();
    await expect(site.results('results/list.json')).rejects.toThrow(
      'results/list.json: must hold a JSON object',
    );
  });

  it('a file read with its schema comes back typed; one that does not fit names the file and the field', async () => {
    const Points = obj({ settings: obj({ seeds: arr(int, 1) }), points: arr(num) });
    const parsePoints = (json: unknown, name: string) => parse(Points, json, name);
    const site = createSite(
      'https://x/',
      memoryReader({
        'results/lesson/good.json': utf8('{"settings": {"seeds": [0, 1]}, "points": [0.5]}'),
        'results/lesson/bad.json': utf8('{"settings": {"seeds": [0, "one"]}, "points": []}'),
      }),
    );
    const good = await site.results('results/lesson/good.json', parsePoints);
    expect(good?.settings.seeds).toEqual([0, 1]);
    expect(good?.modelNote).toMatch(/do not record/);
    expect(await site.results('results/lesson/none.json', parsePoints)).toBeNull();
    const refused =
      /^results\/lesson\/bad\.json: does not fit its schema \(bad\.json\.settings\.seeds\[1\] = "one": expected an integer\)$/;
    await expect(site.results('results/lesson/bad.json', parsePoints)).rejects.toThrow(refused);
    await expect(site.json('results/lesson/bad.json', parsePoints)).rejects.toThrow(refused);
    await expect(site.optionalJson('results/lesson/bad.json', parsePoints)).rejects.toThrow(
      refused,
    );
    expect(await site.optionalJson('results/lesson/none.json', parsePoints)).toBeNull();
    expect((await site.json('results/lesson/good.json', parsePoints)).points).toEqual([0.5]);
  });

  it('every shipped results file fits its lesson’s schema through site.results', async () => {
    const site = directorySite();
    const placement = await site.results('results/placement/sentiment.json', parsePlacementResults);
    expect(placement?.points.length).toBeGreaterThan(0);
    const intrinsic = await site.results(
      'results/intrinsic/sentiment.json',
      parseSentimentIntrinsicResults,
    );
    expect(intrinsic?.curves.length).toBeGreaterThan(0);
    expect(
      (await site.results('results/intrinsic/mnist.json', parseMnistResults))?.runs.length,
    ).toBeGreaterThan(0);
    const frames = await site.json(
      'results/initialisation/encoder.json',
      parseInitialisationResults,
    );
    expect(frames.modelSha256).toBe(await site.modelSha256());
  });

  it('weightsNote: empty when the weights match', () => {
    expect(weightsNote('x', 'x')).toBe('');
    expect(weightsNote(null, 'x')).toMatch(/^ These results do not record/);
  });
});

describe('fetchReader', () => {
  it('fetches relative to the base and names status and explanation on failure', async () => {
    const asked: string[] = [];
    const fake = (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : input.toString();
      asked.push(url);
      return Promise.resolve(
        url.endsWith('ok.bin')
          ? new Response(new Uint8Array([7]))
          : new Response('offline: not cached', {
              status: 503,
              headers: { 'content-type': 'text/plain' },
            }),
      );
    };
    const read = fetchReader('https://host/base/', fake);
    expect([...(await read('dir/ok.bin'))]).toEqual([7]);
    expect(asked).toEqual(['https://host/base/dir/ok.bin']);
    await expect(read('dir/gone.json')).rejects.toThrow(
      'dir/gone.json: HTTP 503 (offline: not cached)',
    );
  });

  it('a network failure names the file', async () => {
    const read = fetchReader('https://host/', () =>
      Promise.reject(new TypeError('Failed to fetch')),
    );
    await expect(read('a.json')).rejects.toThrow('a.json: could not be fetched (Failed to fetch)');
  });
});

describe('siteBaseOf', () => {
  it('is the directory of the favicon link, so a site under a sub-path works', () => {
    const doc = document.implementation.createHTMLDocument('t');
    expect(siteBaseOf(doc)).toBeNull();
    const icon = doc.createElement('link');
    icon.rel = 'icon';
    icon.href = 'https://host/sub/path/favicon.svg';
    doc.head.append(icon);
    expect(siteBaseOf(doc)).toBe('https://host/sub/path/');
    expect(siteBaseOf(undefined)).toBeNull();
  });
});

describe('directorySite (Node)', () => {
  it('loads and verifies the model this site ships, from public/', async () => {
    const site = directorySite();
    const model = await site.model();
    expect(model.weights.length).toBeGreaterThan(1_000_000);
    expect(model.sha256).toBe(await sha256Hex(model.weights));
    expect(await site.modelSha256()).toBe(model.sha256);
  });

  it('modelFolder: a script’s --model folder, read and checked as the site’s model', async () => {
    const model = await modelFolder('public/models/tiny-roberta');
    expect(model.sha256).toBe(await directorySite().modelSha256());
    expect(model.sha256).toBe(await sha256Hex(model.weights));
    await expect(modelFolder('public/data')).rejects.toThrow(
      /^public\/data: is not a model folder of a site \(expected …\/models\/<name>\)$/,
    );
    await expect(modelFolder('public/models/none')).rejects.toThrow(
      /^models\/none\/manifest\.json: not found in /,
    );
  });

  it('a missing file is named, and a path outside the directory refused', async () => {
    const read = directoryReader(directorySite().base ?? '');
    await expect(read('results/none.json')).rejects.toThrow(/^results\/none\.json: not found in /);
    await expect(read('../package.json')).rejects.toThrow(/^\.\.\/package\.json: is outside /);
  });
});
