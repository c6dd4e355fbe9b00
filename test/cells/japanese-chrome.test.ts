/**
 * The live cells' chrome in the Japanese edition (src/cells/client/text.ts, src/cells/text.ts): on
 * a page whose `<html lang>` is "ja", a lesson's buttons, statuses, errors and share-link banner,
 * the stand-in "Run all cells", `progress` and the backend badge's reason are in Japanese. The
 * English words are pinned by the other tests (mount.test.ts and the rest), unchanged.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cell, lesson, render, states } from './lesson-dom.ts';
import { mountLesson } from '../../src/cells/client/mount.ts';
import { whenNeeded } from '../../src/cells/client/start-when-needed.ts';
import { deviceLostReason } from '../../src/cells/backend.ts';
import { progress } from '../../src/cells/progress.ts';
import { encodeShare } from '../../src/cells/share.ts';

const buttonNames = (el: ParentNode): string[] =>
  [...el.querySelectorAll('button')].map((b) => b.textContent);

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${states()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// jsdom has no layout; CodeMirror measures text ranges. Give it empty rectangles.
Range.prototype.getClientRects = function getClientRects() {
  return [] as unknown as DOMRectList;
};
Range.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return new DOMRect(0, 0, 0, 0);
};

beforeEach(() => {
  localStorage.clear();
  document.documentElement.lang = 'ja';
  history.replaceState(null, '', '/ja/lessons/ja-test/');
});
afterEach(() => {
  document.documentElement.lang = '';
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('the Japanese edition of the live cells', () => {
  it('names the controls, states and errors in Japanese', async () => {
    const root = render(lesson(['a = 2', 'b = a +', 'c = b * 2']));
    await mountLesson(root, { slug: 'ja-test', lang: 'ja', version: '' });
    await until(() => states() === 'a:fulfilled b:rejected c:rejected', 'settled');
    expect(buttonNames(cell('a'))).toEqual(
      expect.arrayContaining(['実行', '停止', 'リセット', '埋め込みコードをコピー']),
    );
    const bar = document.querySelector('[data-lesson-toolbar]') ?? document;
    expect(buttonNames(bar)).toEqual(expect.arrayContaining(['すべてリセット', '共有']));
    expect(cell('a').querySelector('.cm-content')?.getAttribute('aria-label')).toBe(
      'ライブセル1（a）のコード',
    );
    expect(cell('a').querySelector('.cell-status')?.textContent).toBe('完了');
    const error = cell('b').querySelector('[role="alert"]')?.textContent ?? '';
    expect(error).toMatch(/^構文エラー。1行目：.*（1行8列）$/);
    const inherited = cell('c').querySelector('[role="alert"]');
    expect(inherited?.textContent).toMatch(
      /^構文エラー。読み込んでいるb（1行目）でエラーが起きたため、待機しています：.*（1行8列）$/,
    );
    expect(inherited?.querySelector('code')?.textContent).toBe('b');
  });

  it('asks before running a share link, in Japanese', async () => {
    const encoded = await encodeShare({
      slug: 'ja/ja-test',
      version: 'v-old',
      cells: [{ index: 0, source: 'a = 7' }],
    });
    history.replaceState(null, '', `/ja/lessons/ja-test/#share=${encoded}`);
    const root = render(lesson(['a = 2', '`a is ${a}`']));
    await mountLesson(root, { slug: 'ja-test', lang: 'ja', version: 'v-now' });
    const banner = document.querySelector<HTMLElement>('.cells-banner');
    if (!banner) throw new Error('no banner');
    expect(banner.textContent).toMatch(
      /^このリンクには、ほかの人が編集したコードが含まれています（セル1）。エディターに表示していますが、まだ実行していません。/,
    );
    expect(banner.textContent).toMatch(/レッスンが変わったため/);
    const run = [...banner.querySelectorAll('button')].find(
      (b) => b.textContent === '共有されたコードを実行',
    );
    run?.click();
    await until(() => states() === 'a:fulfilled 1:fulfilled', 'shared code ran');
    expect(banner.textContent).toMatch(
      /^共有されたコードを実行しました。このコードは、セル1のコード/,
    );
  });

  it('says why a share link cannot be read, in Japanese', async () => {
    history.replaceState(null, '', '/ja/lessons/ja-test/#share=zz.abc');
    const root = render(lesson(['a = 2']));
    await mountLesson(root, { slug: 'ja-test', lang: 'ja', version: '' });
    expect(document.querySelector('.cells-lesson-status')?.textContent).toBe(
      '共有リンクを読み取れませんでした（リンクの形式"zz"を読めません）。レッスン本来のコードを表示しています。',
    );
  });

  it('shows the stand-in "Run all cells" in Japanese before the runtime loads', () => {
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        observe(): void {
          // Nothing comes into view in this test.
        }
        disconnect(): void {
          // Nothing to stop.
        }
      },
    );
    const root = render(lesson(['a = 2']));
    const toolbar = document.querySelector<HTMLElement>('[data-lesson-toolbar]');
    void whenNeeded(root, toolbar, { search: '', hash: '', hasEdits: false }, 'ja');
    const standIn = toolbar?.querySelector<HTMLButtonElement>('button[data-stand-in]');
    expect(standIn?.textContent).toBe('すべてのセルを実行');
    expect(standIn?.title).toMatch(/すべてのセルを今すぐ実行します$/);
  });

  it('words progress and the lost backend in Japanese', () => {
    expect(progress(0.5).querySelector('progress')?.getAttribute('aria-label')).toBe('進捗');
    expect(() => progress(2)).toThrow(/^progress：割合は0から1の間/);
    const lost = deviceLostReason({});
    expect(lost).toMatch(/^WebGPUデバイスが失われました（理由は示されていません）。/);
    expect(lost).toMatch(/「WASMで再読み込み」/);
  });
});
