import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeShare,
  placeSharedCells,
  encodeShare,
  MAX_SHARE_BYTES,
  shareParam,
  shareUrl,
  ShareLinkError,
  type SharePayload,
} from '../../src/cells/share.ts';

const payload: SharePayload = {
  slug: 'how-these-notebooks-work',
  version: '1a2b3c4d',
  cells: [
    { index: 0, source: 'viewof r = Inputs.range([1, 8], {step: 1, value: 5})' },
    {
      index: 3,
      source: '{\n  // ünïcödé, emoji 🎛️, quotes "\' and backslashes \\\n  return `${r}`;\n}',
    },
  ],
};

describe('share links', () => {
  it('round-trips compressed and plain, with a versioned prefix', async () => {
    const packed = await encodeShare(payload);
    const plain = await encodeShare(payload, { compress: false });
    expect(packed.startsWith('c1.')).toBe(true);
    expect(plain.startsWith('j1.')).toBe(true);
    expect(packed).toMatch(/^c1\.[A-Za-z0-9_-]+$/);
    expect(await decodeShare(packed)).toEqual(payload);
    expect(await decodeShare(plain)).toEqual(payload);
  });

  it('round-trips any cells (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({
            index: fc.nat(500),
            source: fc.string({ unit: 'grapheme', maxLength: 200 }),
          }),
          {
            selector: (c) => c.index,
            maxLength: 6,
          },
        ),
        fc.boolean(),
        async (cells, compress) => {
          const p = { slug: 's', version: 'v', cells };
          expect(await decodeShare(await encodeShare(p, { compress }))).toEqual(p);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('compression makes repetitive code shorter', async () => {
    const big = {
      ...payload,
      cells: [{ index: 0, source: 'x = tf.tensor([1, 2, 3]);\n'.repeat(50) }],
    };
    const packed = await encodeShare(big);
    const plain = await encodeShare(big, { compress: false });
    expect(packed.length).toBeLessThan(plain.length / 5);
  });

  it('rejects damaged or hostile links with a reason', async () => {
    await expect(decodeShare('zz.abc')).rejects.toThrow(/unknown link format "zz"/);
    await expect(decodeShare('j1.***')).rejects.toThrow(/not base64url/);
    await expect(decodeShare('c1.AAAA')).rejects.toThrow(ShareLinkError);
    const enc = (v: unknown): Promise<SharePayload> =>
      decodeShare(`j1.${Buffer.from(JSON.stringify(v)).toString('base64url')}`);
    await expect(enc({ v: 2, slug: 's', version: 'v', cells: [] })).rejects.toThrow(
      /format version 2/,
    );
    await expect(enc({ v: 1, slug: 's', version: 'v', cells: [[-1, 'x']] })).rejects.toThrow(
      /index -1/,
    );
    await expect(
      enc({
        v: 1,
        slug: 's',
        version: 'v',
        cells: [
          [1, 'x'],
          [1, 'y'],
        ],
      }),
    ).rejects.toThrow(/appears twice/);
    await expect(enc({ v: 1, slug: 's', version: 'v', cells: [[1, 2]] })).rejects.toThrow(
      /no source text/,
    );
    // A decompression bomb: a few kB that would inflate past the limit.
    const bomb = await encodeShare({
      slug: 's',
      version: 'v',
      cells: [{ index: 0, source: 'a'.repeat(MAX_SHARE_BYTES + 10) }],
    });
    expect(bomb.length).toBeLessThan(20_000);
    await expect(decodeShare(bomb)).rejects.toThrow(/larger than/);
  });

  it('reads and writes the #share= fragment', async () => {
    const encoded = await encodeShare(payload);
    const url = shareUrl('http://127.0.0.1:4321/lessons/x/?backend=wasm#old', encoded);
    const parsed = new URL(url);
    expect(parsed.search).toBe('?backend=wasm');
    expect(shareParam(parsed.hash)).toBe(encoded);
    expect(shareParam('#other=1')).toBeNull();
    expect(await decodeShare(shareParam(parsed.hash) ?? '')).toEqual(payload);
  });
});

describe('share links name their cells (issue 23)', () => {
  it('round-trip the cell names, and read links without them', async () => {
    const payload = {
      slug: 's',
      version: 'v',
      cells: [
        { index: 1, source: 'b = 3', id: 'n:b' },
        { index: 2, source: 'md`x`' },
      ],
    };
    expect(await decodeShare(await encodeShare(payload))).toEqual(payload);
    const old = await encodeShare({ slug: 's', version: 'v', cells: [{ index: 0, source: 'a' }] });
    expect((await decodeShare(old)).cells).toEqual([{ index: 0, source: 'a' }]);
  });

  it('place each cell by its identity after a cell was inserted above it', () => {
    const cells = [
      { index: 1, source: 'b = 3', id: 'n:b' },
      { index: 2, source: 'md`y`', id: 'h:0000abcd' },
      { index: 4, source: 'gone = 1', id: 'n:gone' },
      { index: 0, source: 'a = 9' }, // an older link: by index
    ];
    const { byIndex, unplaced } = placeSharedCells(cells, ['n:z', 'n:a', 'n:b', 'h:0000abcd']);
    expect([...byIndex]).toEqual([
      [2, 'b = 3'],
      [3, 'md`y`'],
      [0, 'a = 9'],
    ]);
    expect(unplaced.map((c) => c.id)).toEqual(['n:gone']);
  });
});
