// @ts-check
/**
 * An exercise as a reader uses it (issue 22), on the intrinsic-dimension lesson opened with no
 * flags: scroll to the first exercise, answer wrongly and get the hint written for that mistake,
 * open the hints one by one, ask for the solution (a confirmation first, which Escape closes),
 * see the lesson's done count go up, reload and find everything as it was, then Start over and
 * find the starter code, no hints and the count back down — after another reload too. Buttons are
 * pressed with the mouse, except where the keyboard is the point (Enter, Escape). Then axe on the
 * exercise in both themes, and the instructors' catalogue: exercises listed with title and task,
 * inputs in words, a preview frame only when asked, axe in both themes, no overflow at 390 px.
 * Every exercise of the first, low-rank, own-data and QLoRA lessons is driven too, one page per
 * lesson.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, editCell, editorText, launchBrowser, lessonUrl, openPage } from './helpers.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const SLUG = 'intrinsic-dimension';
const NAME = 'countD';
const EXERCISE = `[data-exercise="${NAME}"]`;

/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Waits for the exercise to show `state` (its cell settled).
 * @param {import('playwright-core').Page} page
 * @param {'unanswered' | 'wrong' | 'right'} state
 */
async function exerciseState(page, state, timeout = 30_000) {
  await page.waitForFunction(
    ([sel, s]) => {
      const root = document.querySelector(sel ?? '');
      return (
        root !== null &&
        root.getAttribute('data-exercise-state') === s &&
        root.getAttribute('data-state') === 'fulfilled'
      );
    },
    [EXERCISE, state],
    { timeout, polling: 100 },
  );
}

/**
 * Scrolls to the exercise's cell (the lesson mounts its cells as they come near) and waits for
 * its editor and its exercise panel.
 * @param {import('playwright-core').Page} page
 */
async function reachExercise(page) {
  await page.locator(`[data-cell="${NAME}"]`).scrollIntoViewIfNeeded();
  await page.locator(`${EXERCISE} .cm-content`).waitFor({ timeout: 60_000 });
}

/**
 * axe's WCAG 2.1 A/AA violations (contrast included) within `include` (the whole page if null).
 * @param {import('playwright-core').Page} page
 * @param {string[][] | null} include
 */
async function axe(page, include) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async (within) => {
    // @ts-expect-error axe is the global the script tag defined
    const result = await window.axe.run(within === null ? document : { include: within }, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (/** @type {{ id: string, nodes: { target: string[] }[] }} */ v) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  }, include);
}

/** @param {import('playwright-core').Page} page */
async function count(page) {
  return (await page.locator('[data-exercise-count]').textContent())?.trim() ?? '';
}

/** @param {import('playwright-core').Page} page */
async function hints(page) {
  return page.locator(`${EXERCISE} [data-exercise-hints] li`).allTextContents();
}

describe('an exercise', () => {
  it('checks, hints, shows the solution after a confirmation, keeps progress, starts over', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors, foreignRequests } = await openPage(context);
    await page.goto(lessonUrl(SLUG, ''));
    await reachExercise(page);
    await exerciseState(page, 'unanswered');
    const starter = await editorText(page, NAME);
    assert.match(await count(page), /0 of 3 done/);
    // The count sits under the Exercises heading (not in the lesson bar, where it would push the
    // lesson down as the page loads).
    assert.equal(await page.locator('h2#exercises + [data-exercise-count]').count(), 1);
    const verdict = page.locator(`${EXERCISE} [data-exercise-verdict]`);
    assert.equal(await verdict.getAttribute('role'), 'status');
    assert.equal(await verdict.getAttribute('aria-live'), 'polite');

    // A typical mistake: the weights without the biases.
    await editCell(page, NAME, 'countD = 784 * 100 + 100 * 10');
    await exerciseState(page, 'wrong');
    assert.match(
      (await verdict.textContent()) ?? '',
      /^Not yet\. 79,400 counts the weight matrices but not the biases/,
    );
    assert.match(await count(page), /0 of 3 done/);

    // Hints, one per press.
    const hint = page.locator(`${EXERCISE} [data-exercise-action="hint"]`);
    assert.deepEqual(await hints(page), []);
    assert.equal((await hint.textContent())?.trim(), 'Show a hint (1 of 3)');
    await hint.click();
    assert.equal((await hints(page)).length, 1);
    assert.equal((await hint.textContent())?.trim(), 'Show another hint (2 of 3)');
    await hint.click();
    assert.equal((await hints(page)).length, 2);

    // The solution asks first; Escape closes the question and gives focus back.
    const solution = page.locator(`${EXERCISE} [data-exercise-action="solution"]`);
    const confirm = page.locator(`${EXERCISE} [data-exercise-action="confirm"]`);
    await solution.focus();
    await page.keyboard.press('Enter');
    assert.ok(await confirm.isVisible());
    assert.ok(await confirm.evaluate((el) => el === document.activeElement), 'focus on Yes');
    await page.keyboard.press('Escape');
    assert.ok(await confirm.isHidden());
    assert.ok(await solution.evaluate((el) => el === document.activeElement), 'focus back');
    assert.equal(await editorText(page, NAME), 'countD = 784 * 100 + 100 * 10', 'code untouched');
    await solution.click();
    await confirm.click();
    await exerciseState(page, 'right');
    assert.match((await verdict.textContent()) ?? '', /^Right\. D = 79,510/);
    assert.match(
      await editorText(page, NAME),
      /count \+= sizes\[i\] \* sizes\[i \+ 1\] \+ sizes\[i \+ 1\]/,
    );
    assert.match(await count(page), /1 of 3 done/);
    assert.ok(await page.locator(`${EXERCISE} [data-exercise-solution-note]`).isVisible());
    // The reader's wrong answer is kept under Earlier edits, not lost.
    assert.match(
      (await page.locator('.cells-kept').textContent()) ?? '',
      /Earlier edits kept in this browser \(1\).*\(countD\)/,
    );

    // Progress survives a reload.
    await page.reload();
    await reachExercise(page);
    await exerciseState(page, 'right');
    assert.match(await count(page), /1 of 3 done/);
    assert.equal((await hints(page)).length, 2);
    assert.ok(await page.locator(`${EXERCISE} [data-exercise-solution-note]`).isVisible());

    // Start over (by keyboard): starter code, no hints, no solution, count back down.
    await page.locator(`${EXERCISE} [data-exercise-action="start-over"]`).focus();
    await page.keyboard.press('Enter');
    await exerciseState(page, 'unanswered');
    assert.equal(await editorText(page, NAME), starter);
    assert.deepEqual(await hints(page), []);
    assert.ok(await page.locator(`${EXERCISE} [data-exercise-solution-note]`).isHidden());
    assert.match(await count(page), /0 of 3 done/);
    assert.equal((await hint.textContent())?.trim(), 'Show a hint (1 of 3)');
    await page.reload();
    await reachExercise(page);
    await exerciseState(page, 'unanswered');
    assert.equal(await editorText(page, NAME), starter);
    assert.deepEqual(await hints(page), []);
    assert.match(await count(page), /0 of 3 done/);

    // Nothing overflows a 390-px phone.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `horizontal overflow of ${String(overflow)} px`);
    assert.deepEqual(errors, []);
    assert.deepEqual(foreignRequests, []);
    await context.close();
  });

  for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
    it(`passes axe (WCAG 2.1 A/AA, contrast included) in the ${colorScheme} theme, every part shown`, async () => {
      // axe is injected as an inline script, which the site's CSP (rightly) forbids.
      const context = await browser.newContext({ colorScheme, bypassCSP: true });
      const { page } = await openPage(context);
      await page.goto(lessonUrl(SLUG, ''));
      await reachExercise(page);
      await exerciseState(page, 'unanswered');
      await editCell(page, NAME, 'countD = 1');
      await exerciseState(page, 'wrong');
      await page.locator(`${EXERCISE} [data-exercise-action="hint"]`).click();
      await page.locator(`${EXERCISE} [data-exercise-action="solution"]`).click();
      assert.deepEqual(await axe(page, [[EXERCISE], ['[data-exercise-count]']]), []);
      await context.close();
    });
  }
});

/**
 * The exercises of the first, low-rank, own-data and QLoRA lessons, one page per lesson (no
 * flags): each exercise gets a typical wrong answer and the hint written for it, a hint, the
 * solution after the confirmation (right, the count goes up); the first lesson's cell follows its
 * slider; then Start over on each brings back the starter code, no hints, no solution, and the
 * count to 0.
 * Answers are typed on one line (the editor takes them as typed).
 */
const LESSONS = [
  {
    slug: 'how-these-notebooks-work',
    exercises: [
      {
        name: 'percentTrained',
        wrong: 'percentTrained = counts.lora / counts.full',
        hint: /^Not yet\. 0\.0052\d* is the share as a fraction \(r = 2\)/,
        right: /^Right\. at r = 2, LoRA trains 0\.52% of this layer/,
      },
      {
        name: 'checkedCount',
        wrong: 'checkedCount = (k) => k * (layer.dIn + layer.dOut)',
        hint: /^Not yet\. checkedCount\(0\) returned 0 without complaint, but a rank must be at least 1/,
        right:
          /^Right\. good ranks give their count, and a bad one stops with an error that names it/,
      },
      {
        name: 'loraForward',
        wrong:
          'loraForward = (x, W0, A, B, alpha) => x.map((row) => W0[0].map((_, j) => row.reduce((a, v, k) => a + v * W0[k][j], 0)))',
        hint: /^Not yet\. That is xW₀, the frozen layer alone/,
        right: /^Right\. h = xW₀ \+ \(α\/r\)·xAB/,
      },
    ],
  },
  {
    slug: 'low-rank-update',
    exercises: [
      {
        name: 'topTwoShare',
        wrong: 'topTwoShare = (4 + 2) / (4 + 2 + 1 + 1)',
        hint: /^Not yet\. That is the share of the singular values themselves.*square each value first/,
        right: /^Right\. \(16 \+ 4\) \/ \(16 \+ 4 \+ 1 \+ 1\) = 0\.909/,
      },
      {
        name: 'effectiveRankOf',
        wrong: 'effectiveRankOf = (s) => s.filter((v) => v > 0).length',
        hint: /^Not yet\. For s = \[5,3,2,0\.5\] you return 4.*That is the rank/,
        right: /^Right\. four equal values give 4/,
      },
      {
        name: 'cutToRank',
        wrong:
          'cutToRank = ({U, s, V}, r) => ({approx: U.map((Ui) => V.map((Vj) => s.reduce((a, st, t) => a + Ui[t] * st * Vj[t], 0))), error: 0})',
        hint: /^Not yet\. At r = 1: approx is the whole matrix/,
        right: /^Right\. M_r keeps the r largest directions/,
      },
    ],
  },
  {
    slug: 'own-data',
    exercises: [
      {
        name: 'failingRow',
        wrong: 'failingRow = 4',
        hint: /^Not yet\. 4 counts the header as row 1/,
        right: /^Right\. row 3, as the page says \(“row 3: CSV: 4 cells/,
      },
      {
        name: 'fixFile',
        wrong:
          'fixFile = ["text,label", "The app logs me out every hour,account", "I cannot reset my password,account", "Why was I billed twice this month?,billing", "Change the email on my account,account", "The receipt shows the wrong amount,billing"].join("\\n")',
        hint: /^Not yet\. The sentence “Refund me, please, for the second charge” is missing or split/,
        right: /^Right\. the page reads all six sentences/,
      },
      {
        name: 'majorityScore',
        wrong:
          'majorityScore = ({labels, train, validation}) => validation.filter((e) => e.label === 0).length / validation.length',
        hint: /^Not yet\. .*You took the label most common in validation/,
        right: /^Right\. that is the score to beat/,
      },
    ],
  },
  {
    slug: 'qlora',
    exercises: [
      {
        name: 'nf4Bytes',
        wrong: 'nf4Bytes = 128 * 512 / 2',
        hint: /^Not yet\. 32,768 bytes: that is the codes alone/,
        right: /^Right\. 65,536 codes of 4 bits take 32,768 bytes.*36,864 bytes/,
      },
      {
        name: 'int8RoundTrip',
        wrong:
          'int8RoundTrip = (block) => { const c = Math.max(...block.map(Math.abs)); return Array.from(block, (x) => (Math.round((128 * x) / c) * c) / 128); }',
        hint: /^Not yet\. For an ordinary block, .*the scale is 127, not 128/,
        right: /^Right\. every value comes back within c\/254 of where it was/,
      },
      {
        name: 'willItFit',
        wrong:
          'willItFit = ({method: "qlora", lora: {r: 16, targets: ["q_proj", "v_proj"]}, sequenceLength: 2048, batchSize: 1, activations: "full"})',
        hint: /^Not yet\. By the core’s trainingMemory this needs \d+\.\d GB, more than 24 GB.*The activations kept in full take \d+\.\d GB: try "checkpointed"/,
        right: /^Right\. qlora on 4 × 2,048 tokens with activations checkpointed needs \d+\.\d GB/,
      },
    ],
  },
];

/**
 * Waits for exercise `name` to show `state` with its cell settled.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @param {'unanswered' | 'wrong' | 'right'} state
 */
async function stateOf(page, name, state, timeout = 30_000) {
  await page.waitForFunction(
    ([n, s]) => {
      const root = document.querySelector(`[data-exercise="${n ?? ''}"]`);
      return (
        root !== null &&
        root.getAttribute('data-exercise-state') === s &&
        root.getAttribute('data-state') === 'fulfilled'
      );
    },
    [name, state],
    { timeout, polling: 100 },
  );
}

describe('the exercises of the first, low-rank, own-data and QLoRA lessons', () => {
  for (const lesson of LESSONS) {
    it(`${lesson.slug}: a typical mistake gets its hint, the solution is right, Start over restores each`, async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const { page, errors, foreignRequests } = await openPage(context);
      await page.goto(lessonUrl(lesson.slug, ''));
      const total = lesson.exercises.length;
      /** @type {Record<string, string>} */
      const starters = {};
      for (const [i, ex] of lesson.exercises.entries()) {
        const sel = `[data-exercise="${ex.name}"]`;
        await page.locator(`[data-cell="${ex.name}"]`).scrollIntoViewIfNeeded();
        await page.locator(`${sel} .cm-content`).waitFor({ timeout: 60_000 });
        await stateOf(page, ex.name, 'unanswered');
        starters[ex.name] = await editorText(page, ex.name);
        const verdict = page.locator(`${sel} [data-exercise-verdict]`);

        await editCell(page, ex.name, ex.wrong);
        await stateOf(page, ex.name, 'wrong');
        assert.match((await verdict.textContent()) ?? '', ex.hint, ex.name);

        await page.locator(`${sel} [data-exercise-action="hint"]`).click();
        assert.equal(await page.locator(`${sel} [data-exercise-hints] li`).count(), 1);
        await page.locator(`${sel} [data-exercise-action="solution"]`).click();
        await page.locator(`${sel} [data-exercise-action="confirm"]`).click();
        await stateOf(page, ex.name, 'right');
        assert.match((await verdict.textContent()) ?? '', ex.right, ex.name);
        assert.match(await count(page), new RegExp(`${String(i + 1)} of ${String(total)} done`));
      }

      if (lesson.slug === 'how-these-notebooks-work') {
        // The cell that uses counts follows the slider: r = 3 by the keyboard, still right.
        const verdict = page.locator('[data-exercise="percentTrained"] [data-exercise-verdict]');
        await page.locator('[data-cell="r"] input[type="range"]').focus();
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction(
          () =>
            /at r = 3, LoRA trains 0\.78%/.test(
              document.querySelector('[data-exercise="percentTrained"] [data-exercise-verdict]')
                ?.textContent ?? '',
            ),
          undefined,
          { timeout: 30_000, polling: 100 },
        );
        await stateOf(page, 'percentTrained', 'right');
        assert.match((await verdict.textContent()) ?? '', /^Right\./);
      }

      for (const [i, ex] of lesson.exercises.entries()) {
        const sel = `[data-exercise="${ex.name}"]`;
        await page.locator(`${sel} [data-exercise-action="start-over"]`).click();
        await stateOf(page, ex.name, 'unanswered');
        assert.equal(await editorText(page, ex.name), starters[ex.name], ex.name);
        assert.equal(await page.locator(`${sel} [data-exercise-hints] li`).count(), 0);
        assert.ok(await page.locator(`${sel} [data-exercise-solution-note]`).isHidden());
        assert.match(
          await count(page),
          new RegExp(`${String(total - i - 1)} of ${String(total)} done`),
        );
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `horizontal overflow of ${String(overflow)} px`);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests, []);
      await context.close();
    });
  }
});

describe("the instructors' catalogue", () => {
  it('lists each lesson’s exercises by title and task, links them, and previews a cell only when asked', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors, foreignRequests } = await openPage(context);
    await page.goto(new URL('instructors/', BASE_URL).href);
    const entry = page.locator('[data-catalogue-entry="intrinsic-dimension/countD"]');
    const text = (await entry.textContent())?.replace(/\s+/g, ' ') ?? '';
    assert.match(text, /Count the weights of a small network/);
    assert.match(text, /Return D, the number of trainable numbers/);
    // Inputs in words: a control's label and kind, with its address parameter.
    const live =
      (await page.locator('[data-catalogue-entry="intrinsic-dimension/live"]').textContent()) ?? '';
    assert.match(live.replace(/\s+/g, ' '), /subspace dimension d \(slider, \?d=…\)/);
    for (const slug of [
      'how-these-notebooks-work',
      'intrinsic-dimension',
      'initialisation',
      'adapter-placement',
      'low-rank-update',
      'training-run',
      'own-data',
      'qlora',
    ]) {
      const count = await page
        .locator(`[data-catalogue-entry^="${slug}/"]`)
        .filter({ hasText: 'with its check and hints' })
        .count();
      assert.ok(count >= 3, `${slug}: ${String(count)} exercises listed`);
    }
    assert.equal(
      await page.locator('.catalogue-preview iframe').count(),
      0,
      'no frame before asked',
    );
    const embedLoaded = page.waitForResponse((r) =>
      r.url().includes('/embed/intrinsic-dimension/countD/'),
    );
    await entry.locator('summary').click();
    await embedLoaded;
    const frame = entry.locator('iframe');
    assert.equal(
      await frame.getAttribute('title'),
      'Live cell: Count the weights of a small network',
    );
    // The lesson link lands on the exercise's heading.
    const href =
      (await entry.locator('a', { hasText: 'in the lesson' }).getAttribute('href')) ?? '';
    await page.goto(new URL(href, BASE_URL).href);
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    assert.match((await page.locator(`[id="${id}"]`).textContent()) ?? '', /Count D/);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `horizontal overflow of ${String(overflow)} px`);
    assert.deepEqual(errors, []);
    assert.deepEqual(foreignRequests, []);
    await context.close();
  });

  for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
    it(`passes axe (WCAG 2.1 A/AA) in the ${colorScheme} theme, a preview open`, async () => {
      const context = await browser.newContext({ colorScheme, bypassCSP: true });
      const { page } = await openPage(context);
      await page.goto(new URL('instructors/', BASE_URL).href);
      await page.locator('[data-catalogue-entry="initialisation/noOpStarts"] summary').click();
      assert.deepEqual(await axe(page, null), []);
      await context.close();
    });
  }
});
