/**
 * Every exercise (src/cells/exercises/): its cell is in its lesson, fenced `js cell exercise`;
 * the starter code (the lesson's cell, run by the real cell runtime) does not pass its check and
 * the solution does; a typical wrong answer gets the hint written for it. The parameter count
 * of the first intrinsic-dimension exercise is the core's own accounting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractCells } from '../../../src/cells/extract.ts';
import { createNodeBuiltins, loadNodeTf } from '../../../src/cells/builtins-node.ts';
import { runCells } from '../../../src/cells/runtime.ts';
import { EXERCISES } from '../../../src/cells/exercises/index.ts';
import type { Exercise } from '../../../src/cells/exercises/types.ts';
import {
  expectedStoredEntries,
  mlpParameterCount,
} from '../../../src/cells/exercises/intrinsic-dimension.ts';
import {
  Mlp,
  Rng,
  accountingRows,
  encoderConfig,
  encoderSpec,
  parameterRows,
  summarizeParams,
  sparseProjection,
} from '../../../src/core/index.ts';
import { TINY_MODULES, tinyAdapterWeights } from '../../../src/cells/exercises/tiny-encoder.ts';
import {
  BASELINE_SPLITS,
  BROKEN_FILE,
  FIX_STARTER,
  INTENDED_ROWS,
  readLabelled,
  refusedRow,
} from '../../../src/cells/exercises/own-data.ts';
import {
  NOTEBOOK_LAYER,
  SLIDER_RANKS,
  notebookLoraCount,
} from '../../../src/cells/exercises/how-these-notebooks-work.ts';
import {
  CUT_CASE,
  CUT_RANKS,
  RANK_SPECTRA,
  SHARE_SPECTRUM,
  SHARE_TOP,
  referenceCut,
} from '../../../src/cells/exercises/low-rank-update.ts';
import {
  effectiveRank,
  energyShare,
  frobenius,
  mat,
  subtract,
  svd,
  truncate,
} from '../../../src/experiments/lowrank/linalg.ts';
import { CONTEXT, valueOf } from './run-cell.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** A typical wrong answer of each exercise, and the words of the hint it must get. */
const WRONG: Record<string, readonly { readonly source: string; readonly hint: RegExp }[]> = {
  countD: [
    { source: 'countD = 784 * 100 + 100 * 10', hint: /not the biases/ },
    { source: 'countD = 784 * 100 + 100', hint: /only the first layer/ },
  ],
  storedEntries: [
    {
      source: `storedEntries = (sizes, d) => {
  let D = 0;
  for (let i = 0; i + 1 < sizes.length; i++) D += (sizes[i] + 1) * sizes[i + 1];
  return d * Math.sqrt(D);
}`,
      hint: /one tensor of D numbers/,
    },
    {
      source: `storedEntries = (sizes, d) => {
  let s = 0;
  for (let i = 0; i + 1 < sizes.length; i++) s += Math.sqrt(sizes[i] * sizes[i + 1]);
  return d * s;
}`,
      hint: /biases are tensors too/,
    },
  ],
  findD90: [
    {
      source: `findD90 = (points, baseline) => {
  const r = points.filter((p) => p.accuracy >= 0.9).map((p) => p.d);
  return r.length ? Math.min(...r) : null;
}`,
      hint: /absolute bar of 90% accuracy/,
    },
    {
      source: `findD90 = (points, baseline) => {
  const p = points.find((p) => p.accuracy >= 0.9 * baseline);
  return p ? p.d : null;
}`,
      hint: /not sorted by d/,
    },
  ],
  noOpStarts: [
    {
      source: 'noOpStarts = ["default", "zero-both", "random-both", "a-zero-b-random", "gated"]',
      hint: /“random-both” is not a no-op/,
    },
    {
      source: 'noOpStarts = ["default", "zero-both", "a-zero-b-random"]',
      hint: /“gated” is missing/,
    },
  ],
  firstMovers: [
    {
      source: `firstMovers = ({default: ["B"], "zero-both": [], "random-both": ["A", "B"],
  "a-zero-b-random": ["A"], gated: ["A", "B"]})`,
      hint: /“gated”.*gate g = 0/,
    },
    {
      source: `firstMovers = ({default: ["A"], "zero-both": [], "random-both": ["A", "B"],
  "a-zero-b-random": ["A"], gated: ["gate"]})`,
      hint: /“default”.*B = 0/,
    },
  ],
  notANoOp: [
    {
      source: `notANoOp = ({A: [[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 0]],
  B: [[1, 0, 0, 0], [0, 1, 0, 0]], breaks: "A"})`,
      hint: /A’s gradient s·xᵀG·Bᵀ is not zero/,
    },
    {
      source: `notANoOp = ({A: [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]],
  B: [[1, 0, 0, 0], [0, 1, 0, 0]], breaks: "output"})`,
      hint: /A is all zeros/,
    },
  ],
  adapterGradients: [
    {
      source: `adapterGradients = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  return ({x, A, B, G, s}) => ({
    dA: matmul(matmul(transpose(x), G), transpose(B)),
    dB: matmul(transpose(matmul(x, A)), G)
  });
}`,
      hint: /factor of s/,
    },
    {
      source: `adapterGradients = ({x, A, B, G, s}) => ({dA: A, dB: [[1]]})`,
      hint: /dB should have B’s shape, 2 × 4; yours is 1 × 1/,
    },
  ],
  loraPerModule: [
    { source: 'loraPerModule = (dIn, dOut, r) => r * dIn * dOut', hint: /r full-size matrices/ },
    { source: 'loraPerModule = (dIn, dOut, r) => r * dIn', hint: /That is one factor/ },
  ],
  largestRank: [
    {
      source: `largestRank = (targets, budget) => {
  const w = {query: 256, key: 256, value: 256, "attention.output.dense": 256, "intermediate.dense": 640, "output.dense": 640};
  return Math.floor(budget / targets.reduce((n, m) => n + w[m], 0));
}`,
      hint: /two layers/,
    },
    {
      source: `largestRank = (targets, budget) => {
  const w = {query: 256, key: 256, value: 256, "attention.output.dense": 256, "intermediate.dense": 640, "output.dense": 640};
  return Math.floor(budget / (2 * targets.reduce((n, m) => n + w[m], 0)));
}`,
      hint: /PEFT’s rule, "output.dense" adapts every module/,
    },
    {
      source: `largestRank = (targets, budget) => {
  const m = {"attention.self.query": 256, "attention.self.key": 256, "attention.self.value": 256,
    "attention.output.dense": 256, "intermediate.dense": 640, "output.dense": 640};
  let c = 0;
  for (const [n, w] of Object.entries(m)) if (targets.some((t) => n === t || n.endsWith("." + t))) c += 2 * w;
  return Math.ceil(budget / c);
}`,
      hint: /over the budget: round down/,
    },
  ],
  mergeWeight: [
    {
      source: `mergeWeight = (W, A, B, alpha, r) =>
  W.map((row, i) => row.map((w, j) => w + A[i].reduce((s, a, k) => s + a * B[k][j], 0)))`,
      hint: /add \(α\/r\)·AB, not AB/,
    },
    {
      source: `mergeWeight = (W, A, B, alpha, r) =>
  W.map((row, i) => row.map((w, j) => w + alpha * A[i].reduce((s, a, k) => s + a * B[k][j], 0)))`,
      hint: /α\/r, not α /,
    },
  ],
  adapterCount: [
    { source: 'adapterCount = 4608', hint: /one layer’s adapters/ },
    { source: 'adapterCount = 2 * 3 * 4 * 256', hint: /128 to 512/ },
  ],
  swapMerged: [
    {
      source: `swapMerged = (W, from, to) =>
  W.map((row, i) => row.map((w, j) => w + to.s * to.A[i].reduce((s, a, k) => s + a * to.B[k][j], 0)))`,
      hint: /left the old one in/,
    },
    {
      source: `swapMerged = (W, from, to) => W.map((row, i) => row.map((w, j) =>
  w - from.A[i].reduce((s, a, k) => s + a * from.B[k][j], 0) + to.A[i].reduce((s, a, k) => s + a * to.B[k][j], 0)))`,
      hint: /its own scale s/,
    },
  ],
  toPeft: [
    {
      source: `toPeft = ({A, B, s}) => {
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const loraA = transpose(A), loraB = transpose(B);
  return {loraA, loraB, delta: matmul(loraA, loraB)};
}`,
      hint: /that is lora_A · lora_B/,
    },
    {
      source: `toPeft = ({A, B, s}) => {
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const loraA = transpose(A), loraB = transpose(B);
  return {loraA, loraB, delta: matmul(loraB, loraA)};
}`,
      hint: /missing the scale s/,
    },
  ],
  percentTrained: [
    {
      source: 'percentTrained = counts.lora / counts.full',
      hint: /as a fraction.*multiply by 100/,
    },
    { source: 'percentTrained = 100 * counts.full / counts.lora', hint: /upside down/ },
    { source: 'percentTrained = counts.lora', hint: /LoRA’s count of weights at r = 2/ },
  ],
  checkedCount: [
    {
      source: `checkedCount = (k) => {
  if (k < 1) throw new Error(\`rank \${k} is below 1\`);
  return k * (layer.dIn + layer.dOut);
}`,
      hint: /checkedCount\(2\.5\) returned 3,840 without complaint, but a rank is a whole number/,
    },
    {
      source: `checkedCount = (k) => {
  if (!Number.isInteger(k) || k < 1) throw "bad rank";
  return k * (layer.dIn + layer.dOut);
}`,
      hint: /threw "bad rank", not an Error/,
    },
    {
      source: `checkedCount = (k) => {
  if (!Number.isInteger(k) || k < 1) throw new Error("not a valid rank");
  return k * (layer.dIn + layer.dOut);
}`,
      hint: /does not name the value it got/,
    },
    {
      source: `checkedCount = (k) => {
  if (k < 1 || k % 1 !== 0) throw new Error(\`rank \${k} is not a whole number ≥ 1\`);
  return k * (layer.dIn + layer.dOut);
}`,
      hint: /checkedCount\("4"\) returned 6,144 without complaint, but "4" is text/,
    },
  ],
  loraForward: [
    {
      source: `loraForward = (x, W0, A, B, alpha) =>
  x.map((row) => W0[0].map((_, j) => row.reduce((a, v, k) => a + v * W0[k][j], 0)))`,
      hint: /That is xW₀, the frozen layer alone/,
    },
    {
      source: `loraForward = {
  const mm = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (x, W0, A, B, alpha) => {
    const base = mm(x, W0), up = mm(mm(x, A), B);
    return base.map((row, i) => row.map((v, j) => v + (alpha / r) * up[i][j]));
  };
}`,
      hint: /You scaled by α\/2.*not from the slider’s r/,
    },
    {
      source: `loraForward = {
  const mm = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (x, W0, A, B, alpha) => {
    const base = mm(x, W0), up = mm(mm(x, A), B);
    return base.map((row, i) => row.map((v, j) => v + alpha * up[i][j]));
  };
}`,
      hint: /The scale is α\/r, not α\./,
    },
  ],
  failingRow: [
    { source: 'failingRow = 4', hint: /counts the header as row 1/ },
    { source: 'failingRow = 2', hint: /counts from 0/ },
    { source: 'failingRow = 1', hint: /Row 1 reads fine/ },
  ],
  fixFile: [
    {
      source: `fixFile = \`text,label
The app logs me out every hour,account
"Refund me, please, for the second charge",billing
I cannot reset my password,account
Why was I billed twice this month?,
Change the email on my account,account
The receipt shows the wrong amount,billing\``,
      hint: /still refuses it: row 4, column "label": the label is empty/,
    },
    {
      source: `fixFile = \`text,label
The app logs me out every hour,account
I cannot reset my password,account
Why was I billed twice this month?,billing
Change the email on my account,account
The receipt shows the wrong amount,billing\``,
      hint: /“Refund me, please, for the second charge” is missing or split.*double quotes/,
    },
    {
      source: `fixFile = \`text,label
The app logs me out every hour,account
"Refund me, please, for the second charge",billing
I cannot reset my password,account
Why was I billed twice this month?,account
Change the email on my account,account
The receipt shows the wrong amount,billing\``,
      hint: /Row 4, “Why was I billed twice this month\?”, is labelled "account"; it is "billing"/,
    },
  ],
  majorityScore: [
    {
      source: `majorityScore = ({labels, train, validation}) => {
  const counts = labels.map(() => 0);
  for (const e of validation) counts[e.label] += 1;
  return Math.max(...counts) / validation.length;
}`,
      hint: /most common in validation/,
    },
    {
      source: `majorityScore = ({labels, train, validation}) => {
  const counts = labels.map(() => 0);
  for (const e of train) counts[e.label] += 1;
  return counts.indexOf(Math.max(...counts));
}`,
      hint: /That is the label itself/,
    },
    {
      source: `majorityScore = ({labels, train, validation}) => {
  const counts = labels.map(() => 0);
  for (const e of train) counts[e.label] += 1;
  return Math.max(...counts) / train.length;
}`,
      hint: /share of the training part/,
    },
  ],
  topTwoShare: [
    { source: 'topTwoShare = (4 + 2) / (4 + 2 + 1 + 1)', hint: /square each value first/ },
    { source: 'topTwoShare = 2 / 4', hint: /share of the directions/ },
    { source: 'topTwoShare = 90.9', hint: /a percentage/ },
  ],
  effectiveRankOf: [
    {
      source: `effectiveRankOf = (s) => {
  const t = s.reduce((a, v) => a + v, 0);
  return Math.exp(-s.reduce((h, v) => h + (v / t) * Math.log(v / t), 0));
}`,
      hint: /0·log 0, which is NaN/,
    },
    {
      source: `effectiveRankOf = (s) => {
  const t = s.reduce((a, v) => a + v * v, 0);
  return Math.exp(-s.filter((v) => v > 0).reduce((h, v) => h + (v * v / t) * Math.log(v * v / t), 0));
}`,
      hint: /You normalised the squares/,
    },
    {
      source: `effectiveRankOf = (s) => {
  const t = s.reduce((a, v) => a + v, 0);
  return -s.filter((v) => v > 0).reduce((h, v) => h + (v / t) * Math.log(v / t), 0);
}`,
      hint: /That is the entropy itself/,
    },
  ],
  cutToRank: [
    {
      source: `cutToRank = ({U, s, V}, r) => ({
  approx: U.map((Ui) => V.map((Vj) => s.reduce((a, st, t) => a + Ui[t] * st * Vj[t], 0))),
  error: 0
})`,
      hint: /approx is the whole matrix/,
    },
    {
      source: `cutToRank = ({U, s, V}, r) => ({
  approx: U.map((Ui, i) => V.map((_, j) => s.slice(0, r).reduce((a, st, t) => a + Ui[t] * st * V[t][j], 0))),
  error: 0
})`,
      hint: /rows of V as directions/,
    },
    {
      source: `cutToRank = ({U, s, V}, r) => ({
  approx: U.map((Ui) => V.map((Vj) => s.slice(0, r).reduce((a, st, t) => a + Ui[t] * st * Vj[t], 0))),
  error: s.slice(r).reduce((a, v) => a + v * v, 0)
})`,
      hint: /That is the squared error/,
    },
  ],
  nf4Bytes: [
    { source: 'nf4Bytes = 128 * 512 / 2', hint: /that is the codes alone/ },
    {
      source: 'nf4Bytes = 128 * 512 + 4 * (128 * 512 / 64)',
      hint: /a byte per code, which is int8’s size/,
    },
    { source: 'nf4Bytes = 8 * (128 * 512 / 2 + 4 * 1024)', hint: /that is the number of bits/ },
    { source: 'nf4Bytes = 128 * 512 / 2 + 4 * 128', hint: /one constant per row/ },
  ],
  int8RoundTrip: [
    {
      source: `int8RoundTrip = (block) => {
  const c = Math.max(...Array.from(block, Math.abs));
  return Array.from(block, (x) => ((127 * x) / c) * c / 127);
}`,
      hint: /nothing was rounded/,
    },
    {
      source: `int8RoundTrip = (block) => {
  const c = Math.max(...block);
  if (c === 0) return Array.from(block, () => 0);
  return Array.from(block, (x) => Math.round((127 * x) / c) * c / 127);
}`,
      hint: /a negative value, −1\.7.*c is the largest absolute value, max \|x\|, not the largest value/,
    },
    {
      source: `int8RoundTrip = (block) => {
  const c = Math.max(...Array.from(block, Math.abs));
  return Array.from(block, (x) => Math.round((128 * x) / c) * c / 128);
}`,
      hint: /the scale is 127, not 128/,
    },
    {
      source: `int8RoundTrip = (block) => {
  const c = Math.max(...Array.from(block, Math.abs));
  return Array.from(block, (x) => Math.round((127 * x) / c) * c / 127);
}`,
      hint: /For a block of zeros.*you return NaN: c = 0, and 0 \/ 0 is NaN/,
    },
  ],
  willItFit: [
    {
      source: `willItFit = ({method: "full", sequenceLength: 2048, batchSize: 1, activations: "checkpointed"})`,
      hint: /Full fine-tuning trains all 13\.0 billion weights: .* alone take 156\.2 GB/,
    },
    {
      source: `willItFit = ({method: "qlora", lora: {r: 16, targets: ["q_proj", "v_proj"]},
  sequenceLength: 2048, batchSize: 1, activations: "full"})`,
      hint: /The activations kept in full take 47\.7 GB: try "checkpointed"/,
    },
    {
      source: `willItFit = ({method: "lora", lora: {r: 16, targets: ["q_proj", "v_proj"]},
  sequenceLength: 2048, batchSize: 1, activations: "checkpointed"})`,
      hint: /The 16-bit base alone takes 26\.0 GB, more than the 24 GB by itself.*method "qlora"/,
    },
    {
      source: `willItFit = ({method: "qlora", lora: {r: 16, targets: ["q_proj", "v_proj"]},
  sequenceLength: 512, batchSize: 1, activations: "checkpointed"})`,
      hint: /Sequences of 512 tokens are shorter/,
    },
    {
      source: `willItFit = ({method: "qlora", lora: {r: 16, targets: ["q_proj", "v_proj"]},
  sequenceLength: 2048, batchSize: 16, activations: "checkpointed"})`,
      hint: /Even checkpointed, the activations of 16 × 2,048 tokens take 36\.6 GB: put fewer sequences/,
    },
    {
      source: `willItFit = ({method: "qlora", lora: {r: 16, targets: ["q", "v"]},
  sequenceLength: 2048, batchSize: 1, activations: "checkpointed"})`,
      hint: /refuses these options: lora\.targets = "q": not a linear layer/,
    },
  ],
};

for (const [slug, exercises] of Object.entries(EXERCISES)) {
  describe(`exercises of ${slug}`, () => {
    const cells = extractCells(readFileSync(join(root, 'lessons', `${slug}.mdx`), 'utf8'));
    const fenced = cells.filter((c) => c.meta.includes('exercise'));
    const contextOf = (name: string): string[] =>
      (CONTEXT[name] ?? []).map((n) => {
        const cell = cells.find((c) => c.name === n && !c.meta.includes('exercise'));
        if (!cell) throw new Error(`${slug} has no cell named ${n}`);
        return cell.source;
      });

    it('each exercise is a `js cell exercise` of the lesson, and each such cell an exercise', () => {
      expect(exercises.length).toBeGreaterThanOrEqual(3);
      expect(fenced.map((c) => c.name)).toEqual(exercises.map((e) => e.name));
      for (const e of exercises) expect(e.hints.length, e.name).toBeGreaterThanOrEqual(2);
    });

    for (const exercise of exercises) {
      const starter = fenced.find((c) => c.name === exercise.name)?.source ?? '';
      const verdict = async (source: string, e: Exercise = exercise) =>
        e.check(await valueOf(source, contextOf(e.name)));

      it(`${exercise.name}: the starter code runs but is not right; the solution is`, async () => {
        const first = await verdict(starter);
        expect(first.right, first.message).toBe(false);
        expect(first.message.length).toBeGreaterThan(20);
        const solved = await verdict(exercise.solution);
        expect(solved.message).toMatch(/^Right/);
        expect(solved.right, solved.message).toBe(true);
      });

      it(`${exercise.name}: a typical wrong answer gets its own hint`, async () => {
        const wrong = WRONG[exercise.name] ?? [];
        expect(wrong.length, 'wrong answers listed for this exercise').toBeGreaterThan(0);
        for (const { source, hint } of wrong) {
          const v = await verdict(source);
          expect(v.right, source).toBe(false);
          expect(v.message, source).toMatch(hint);
        }
      });

      it(`${exercise.name}: any value at all gets an answer, not an exception`, async () => {
        for (const value of [
          undefined,
          null,
          0,
          'x',
          [],
          {},
          () => undefined,
          () => {
            throw new Error('boom');
          },
        ]) {
          const v = await exercise.check(value);
          expect(v.right).toBe(false);
          expect(typeof v.message).toBe('string');
        }
      });
    }
  });
}

describe('a check never hangs the page', () => {
  it('a reader’s function that loops for ever is stopped by the loop guard and answered', async () => {
    let value: unknown;
    const run = runCells(['storedEntries = (sizes, d) => { let n = 0; for (;;) n++; }'], {
      builtins: createNodeBuiltins({ plotly: null }),
      observerFor: () => ({
        fulfilled: (v) => {
          value = v;
        },
      }),
    });
    try {
      await run.settled(30_000, 0);
      const exercise = EXERCISES['intrinsic-dimension']?.find((e) => e.name === 'storedEntries');
      const started = Date.now();
      const verdict = await exercise?.check(value);
      expect(verdict?.right).toBe(false);
      expect(verdict?.message).toMatch(/threw an error: .*ran for more than 5 s/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      run.dispose();
    }
  });
});

describe('the checks compute what the core computes', () => {
  beforeAll(async () => {
    await loadNodeTf('cpu');
  });

  it('countD: D is the core’s parameter count of the same Mlp', () => {
    const mlp = new Mlp({ sizes: [784, 100, 10], activation: 'relu', bias: true }, { seed: 0 });
    try {
      const core = summarizeParams(parameterRows(mlp));
      expect(core.all).toBe(mlpParameterCount([784, 100, 10]));
      expect(core.trainable).toBe(79_510);
    } finally {
      mlp.dispose();
    }
  });

  it('the tiny encoder’s adapter counts are the core’s accounting of the same model', () => {
    const spec = encoderSpec(
      encoderConfig('tiny', { numLabels: 2, mlmHead: false, maxPositionEmbeddings: 50 }),
      'tiny',
    );
    const adapters = (targetModules: string[], r: number): number =>
      accountingRows(spec, { r, targetModules })
        .filter((row) => row.name.includes('.lora_'))
        .reduce((n, row) => n + row.count, 0);
    // The training-run lesson's default run (its prose says 2,048) and its exercise.
    expect(adapters(['query', 'attention.output.dense'], 2)).toBe(2048);
    expect(adapters(['query', 'attention.output.dense'], 2)).toBe(
      tinyAdapterWeights(['query', 'attention.output.dense'], 2),
    );
    expect(adapters(['query', 'value', 'intermediate.dense'], 4)).toBe(
      tinyAdapterWeights(['query', 'value', 'intermediate.dense'], 4),
    );
    for (const m of Object.keys(TINY_MODULES)) {
      for (const r of [1, 3, 8])
        expect(adapters([m], r), `${m} r=${String(r)}`).toBe(tinyAdapterWeights([m], r));
    }
    // PEFT's rule: "output.dense" also adapts attention.output.dense.
    expect(adapters(['output.dense'], 1)).toBe(2 * (640 + 256));
    expect(tinyAdapterWeights(['output.dense'], 1)).toBe(2 * (640 + 256));
  });

  it('storedEntries: the expected count is what the core’s sparse projection stores, within 3%', () => {
    const mlp = new Mlp({ sizes: [64, 32, 10], activation: 'relu', bias: true }, { seed: 0 });
    try {
      const blocks = mlp.namedParameters().map((p) => p.variable.size);
      const d = 200;
      const p = sparseProjection(blocks, d, new Rng(7));
      const stored = p.nnz;
      const want = expectedStoredEntries([64, 32, 10], d);
      expect(Math.abs(stored - want) / want).toBeLessThan(0.03);
    } finally {
      mlp.dispose();
    }
  });

  it('low-rank-update: the spectrum in the lesson’s cell is the check’s, and the references are the lesson’s SVD tools', async () => {
    const cells = extractCells(readFileSync(join(root, 'lessons', 'low-rank-update.mdx'), 'utf8'));
    const starter = cells.find((c) => c.name === 'topTwoShare')?.source ?? '';
    expect(starter).toContain(`const s = [${SHARE_SPECTRUM.join(', ')}];`);
    expect(energyShare(SHARE_SPECTRUM, SHARE_TOP)).toBeCloseTo(20 / 22, 12);
    const share = EXERCISES['low-rank-update']?.find((e) => e.name === 'topTwoShare');
    const solved = await share?.check(energyShare(SHARE_SPECTRUM, SHARE_TOP));
    expect(solved?.message).toBe(
      'Right: (16 + 4) / (16 + 4 + 1 + 1) = 0.909. 2 of 4 directions hold 90.9% of the update’s energy.',
    );
    expect(share?.hints[1]).toBe('Square the four values: 16, 4, 1, 1.');
    expect(effectiveRank([2, 2, 2, 2])).toBeCloseTo(4, 12);
    expect(RANK_SPECTRA.some((s) => s.includes(0))).toBe(true);
    // M from the exercise's SVD; ml-matrix's SVD of M gives back s, and the lesson's truncation
    // and Frobenius norm give the exercise's reference cut and error.
    const { U, s, V } = CUT_CASE;
    const rows = U.length;
    const cols = V.length;
    const values: number[] = [];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++)
        values.push(s.reduce((a, st, t) => a + (U[i]?.[t] ?? 0) * st * (V[j]?.[t] ?? 0), 0));
    const M = mat(rows, cols, values);
    const d = await svd(M);
    d.s.forEach((v, i) => {
      expect(v).toBeCloseTo(s[i] ?? Number.NaN, 12);
    });
    for (const r of CUT_RANKS) {
      const lab = truncate(d, r);
      const want = referenceCut(CUT_CASE, r);
      expect(Array.from(lab.data)).toEqual(
        want.approx.flat().map((v) => expect.closeTo(v, 12) as unknown as number),
      );
      expect(frobenius(subtract(M, lab))).toBeCloseTo(want.error, 12);
    }
  });

  it('how-these-notebooks-work: the checks’ layer is the lesson’s layer cell, and its slider’s ranks', async () => {
    const cells = extractCells(
      readFileSync(join(root, 'lessons', 'how-these-notebooks-work.mdx'), 'utf8'),
    );
    const layer = cells.find((c) => c.name === 'layer')?.source ?? '';
    expect(await valueOf(layer)).toEqual(NOTEBOOK_LAYER);
    const slider = cells.find((c) => c.name === 'r')?.source ?? '';
    expect(slider).toContain(
      `Inputs.range([${String(SLIDER_RANKS[0])}, ${String(SLIDER_RANKS.at(-1))}], {step: 1`,
    );
    expect(notebookLoraCount(2)).toBe(2 * (768 + 768));
  });

  it('own-data: the files in the lesson’s cells are the checks’, read by the lesson’s own reader', async () => {
    const cells = extractCells(readFileSync(join(root, 'lessons', 'own-data.mdx'), 'utf8'));
    const source = (name: string) => cells.find((c) => c.name === name)?.source ?? '';
    expect(source('failingRow')).toContain(BROKEN_FILE);
    const broken = await readLabelled(BROKEN_FILE);
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(refusedRow(broken.error)).toBe(3);
      expect(broken.error.message).toMatch(/^row 3: CSV: 4 cells but the header names 2 columns/);
    }
    expect(await valueOf(source('fixFile'))).toBe(FIX_STARTER);
    expect((await readLabelled(FIX_STARTER)).ok).toBe(false);
    // The fixed file, written from the intended rows, is read back as those rows.
    const quoted = (t: string) => (t.includes(',') ? `"${t}"` : t);
    const fixed = await readLabelled(
      ['text,label', ...INTENDED_ROWS.map((r) => `${quoted(r.text)},${r.label}`)].join('\n'),
    );
    expect(fixed.ok && fixed.set.examples.length).toBe(INTENDED_ROWS.length);
    // The majority label of training differs from validation's in every split (so taking the
    // validation's is a mistake the check can see), and no split has a tie.
    for (const split of BASELINE_SPLITS) {
      const count = (xs: typeof split.train, l: number) => xs.filter((e) => e.label === l).length;
      const byTrain = split.labels.map((_, l) => count(split.train, l));
      const byValidation = split.labels.map((_, l) => count(split.validation, l));
      const top = (xs: number[]) => xs.indexOf(Math.max(...xs));
      expect(byTrain.filter((n) => n === Math.max(...byTrain))).toHaveLength(1);
      expect(top(byTrain)).not.toBe(top(byValidation));
    }
  });
});
