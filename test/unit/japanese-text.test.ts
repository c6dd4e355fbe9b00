/**
 * The runtime's words in the Japanese edition (src/cells/text.ts), where a caller passes the
 * language: the backend reason (the core's rule with the cells' Japanese words), an embed's
 * address parameters, share links, and a Japanese lesson's cell labels. English stays the
 * default everywhere (the other tests pin its words).
 */
import { describe, expect, it } from 'vitest';
import { chooseBackend, type BackendProbe } from '../../src/core/backend.ts';
import { ENGLISH_WASM_WORDS } from '../../src/platform/wasm-threads.ts';
import { cellsText } from '../../src/cells/text.ts';
import { coerceParam, parseEmbedParams } from '../../src/cells/embed-params.ts';
import { decodeShare } from '../../src/cells/share.ts';
import { cellHast, lessonFileLang } from '../../src/cells/remark-cells.ts';

const probes = (gpu: Partial<BackendProbe> | null): BackendProbe[] => [
  ...(gpu === null ? [] : [{ name: 'webgpu' as const, available: true, ...gpu }]),
  { name: 'wasm', available: true, description: 'WASM SIMD' },
  { name: 'cpu', available: true, description: 'プレーンなJavaScript' },
];

describe('the Japanese words of the runtime', () => {
  it('gives the backend reason in Japanese, by the core’s own rule', () => {
    const ja = cellsText('ja').backend;
    expect(chooseBackend(probes(null), null, ja.reasons)).toEqual({
      name: 'wasm',
      reason:
        'WebGPUアダプターがないので、私たちの測定でCPU上の最速の経路だったWASM（SIMD）を使います',
      forced: false,
    });
    expect(chooseBackend(probes({ description: 'nvidia ampere' }), 'gpu', ja.reasons).reason).toBe(
      '?backend=gpuはバックエンドではありません（webgpu, wasm, webgl, cpuのいずれかを指定してください）。ハードウェアのWebGPUアダプターがあります（nvidia ampere）',
    );
    expect(chooseBackend(probes(null), 'cpu', ja.reasons).reason).toBe(
      '?backend=cpuによる指定（プレーンなJavaScript）',
    );
    expect(ja.wasm.suffix(ja.wasm.describe('WASM SIMD', 1), ja.wasm.off['not-isolated'])).toBe(
      '。WASM SIMD、1スレッド（クロスオリジン分離されていないため）',
    );
    // The English words are the platform's own, unchanged.
    expect(ENGLISH_WASM_WORDS.suffix('WASM SIMD, 1 thread', 'forced by ?threads=1')).toBe(
      '; WASM SIMD, 1 thread (forced by ?threads=1)',
    );
  });

  it('reports an embed’s bad address parameters in Japanese', () => {
    const { problems } = parseEmbedParams(`?code=zzz&r=${'9'.repeat(201)}`, 'show', 'ja');
    expect(problems).toEqual([
      '「code=zzz」はshow, fold, hideのいずれでもないため、「show」を使います。',
      '「r」の値は201文字あり、上限の200文字を超えているため、無視しました。',
    ]);
    expect(coerceParam('r', 'abc', 4, {}, 'ja')).toEqual({
      ok: false,
      message: '「r=abc」は数値ではないため、4のままにします。',
    });
    expect(coerceParam('r', '100', 4, { min: 1, max: 64 }, 'ja')).toEqual({
      ok: true,
      value: 64,
      note: '「r=100」は最大値64より大きいため、64を使います。',
    });
  });

  it('says why a share link cannot be read in Japanese', async () => {
    await expect(decodeShare('zz.abc', 'ja')).rejects.toThrow('リンクの形式"zz"を読めません');
    await expect(decodeShare('j1.***', 'ja')).rejects.toThrow(
      'リンクが壊れています（base64urlではありません）',
    );
  });

  it('labels the cells of a Japanese lesson file in Japanese', () => {
    expect(lessonFileLang('/site/lessons/ja/qlora.mdx')).toBe('ja');
    expect(lessonFileLang('C:\\site\\lessons\\ja\\qlora.mdx')).toBe('ja');
    expect(lessonFileLang('/site/lessons/qlora.mdx')).toBe('en');
    expect(lessonFileLang(undefined)).toBe('en');
    expect(cellHast('r = 4', 0, false, 'ja').properties.ariaLabel).toBe('ライブセル1：r');
    expect(cellHast('1 + 1', 2, false, 'ja').properties.ariaLabel).toBe('ライブセル3');
    expect(cellHast('r = 4', 0).properties.ariaLabel).toBe('Live cell 1: r');
  });
});
