/**
 * Exercises of the QLoRA lesson: the bytes NF4 holds for one of the encoder's matrices, worked
 * out by hand; int8 absmax quantisation of one block and back, as a function; and a fine-tuning
 * setting under which Llama-2-13B trains on long sequences in 24 GB. Every expected number comes
 * from the core: the bytes from `quantize` + `quantizedBytes`, the values read back from
 * `quantize` + `dequantize`, the memory from `trainingMemory` (pure modules: a check never loads
 * TF.js).
 */
import { dequantize, quantize, quantizedBytes } from '../../core/quant/blockwise.ts';
import {
  LLAMA2_13B,
  trainingMemory,
  type MemoryEstimate,
  type MemoryOptions,
} from '../../core/memory/index.ts';
import type { Exercise, Verdict } from './types.ts';
import { callReader, notYet, right, shown } from './verdict.ts';

/** The first exercise's matrix: the feed-forward up projection of the lesson's encoder. */
export const FFN_MATRIX = { rows: 128, cols: 512, blockSize: 64 } as const;

/** Bytes the core's NF4 holds for the first exercise's matrix, by part. */
export function ffnNf4Bytes(): { codes: number; constants: number; total: number } {
  const { rows, cols, blockSize } = FFN_MATRIX;
  const q = quantize(new Float32Array(rows * cols), { kind: 'nf4', blockSize }, [rows, cols]);
  const b = quantizedBytes(q);
  return { codes: b.codes, constants: b.constants + b.secondLevel, total: b.total };
}

const en = (n: number) => n.toLocaleString('en-US');

const nf4Bytes: Exercise = {
  name: 'nf4Bytes',
  title: 'The bytes NF4 holds for one matrix, by hand',
  task: 'Return how many bytes NF4 with blocks of 64 holds for the encoder’s 128 × 512 feed-forward matrix: the 4-bit codes and one float32 constant per block, no double quantisation.',
  check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a number of bytes; it returned ${shown(value)}.`);
    }
    const { rows, cols, blockSize } = FFN_MATRIX;
    const n = rows * cols;
    const blocks = Math.ceil(n / blockSize);
    const want = ffnNf4Bytes();
    if (value === want.total) {
      return right(
        `Right: ${en(n)} codes of 4 bits take ${en(want.codes)} bytes, and ${en(blocks)} blocks keep one 4-byte constant each, ${en(want.constants)} bytes: ${en(want.total)} bytes, ${((8 * want.total) / n).toFixed(1)} bits per weight, ${((100 * want.total) / (4 * n)).toFixed(1)}% of the ${en(4 * n)} bytes in float32.`,
      );
    }
    if (value === 0) return notYet('The cell still returns 0: count the codes and the constants.');
    const said = `${en(value)} bytes:`;
    const mistakes: readonly (readonly [number, string])[] = [
      [
        want.codes,
        `${said} that is the codes alone. Each block of ${String(blockSize)} values also keeps its constant c, a float32 of 4 bytes.`,
      ],
      [
        n + 4 * blocks,
        `${said} that counts a byte per code, which is int8’s size. An NF4 code is 4 bits: two codes share one byte.`,
      ],
      [n, `${said} that is a byte per code and no constants. A 4-bit code is half a byte.`],
      [8 * want.total, `${said} that is the number of bits. Divide by 8 for bytes.`],
      [
        want.codes + 2 * blocks,
        `${said} a float32 constant is 4 bytes, and there is one per block of ${String(blockSize)} values (${en(blocks)} blocks).`,
      ],
      [
        want.codes + blocks,
        `${said} you counted each constant as one byte, as double quantisation stores it. This question has no double quantisation: each constant is a 4-byte float32.`,
      ],
      [
        want.codes + 4 * rows,
        `${said} that is one constant per row. The matrix is read as one long list and cut into blocks of ${String(blockSize)} values, each with its own constant.`,
      ],
      [4 * n, `${said} that is the float32 matrix, 4 bytes per weight.`],
    ];
    const hit = mistakes.find(([m]) => value === m);
    if (hit) return notYet(hit[1]);
    if (Math.abs(value * 1024 - want.total) < 1024 || Math.abs(value * 1000 - want.total) < 1000)
      return notYet(`${shown(value)} looks like kilobytes; return the number of bytes.`);
    if (Math.abs(value - (8 * want.total) / n) < 0.05)
      return notYet(
        `${shown(value)} is the bits per weight; the question asks for the bytes of the whole matrix.`,
      );
    return notYet(
      `${shown(value)} bytes is not it. Add the codes (${en(n)} values at 4 bits each) and the constants (4 bytes per block of ${String(blockSize)} values).`,
    );
  },
  hints: [
    'The matrix holds 128 · 512 = 65,536 weights, and each is stored as a 4-bit code.',
    'Two 4-bit codes fit in one byte. The blocks: 65,536 / 64 = 1,024, each with one float32 constant.',
    'Bytes = 65,536 / 2 + 1,024 · 4.',
  ],
  solution: `nf4Bytes = {
  const rows = 128, cols = 512, blockSize = 64;
  const values = rows * cols;
  const codes = values / 2; // 4 bits per code: two codes per byte
  const constants = 4 * Math.ceil(values / blockSize); // one float32 absmax per block
  return codes + constants;
}`,
};

/** The blocks the second exercise's function is tried on, each with what makes it a case. */
export const ROUND_TRIP_BLOCKS: readonly {
  readonly values: readonly number[];
  readonly about: string;
}[] = [
  { values: [0.12, -0.5, 0.33, 0.9, -0.07, 0.41, -0.26, 0.05], about: 'an ordinary block' },
  {
    values: [0.3, -1.7, 0.9, -0.2, 0.6, 0.05, -0.8, 0.4],
    about: 'a block whose largest magnitude is a negative value, −1.7',
  },
  { values: [0, 0, 0, 0, 0, 0, 0, 0], about: 'a block of zeros' },
  {
    values: [0.02, -0.03, 0.01, 6.5, -0.02, 0.04, 0, -0.01],
    about: 'a block with one large value, 6.5',
  },
].map((b) => ({ ...b, values: Array.from(Float32Array.from(b.values)) }));

/** What the core reads back for one block: int8 absmax over the whole block, then dequantised. */
export function coreRoundTrip(values: readonly number[]): number[] {
  const x = Float32Array.from(values);
  return Array.from(dequantize(quantize(x, { kind: 'int8', blockSize: x.length })));
}

/** A round trip with another recipe (how a typical mistake computes it). */
function roundTrip(
  x: readonly number[],
  opts: {
    c?: (x: readonly number[]) => number;
    q?: number;
    d?: number;
    round?: (v: number) => number;
    codes?: boolean;
  },
): number[] {
  const c = (opts.c ?? ((v) => Math.max(...v.map(Math.abs))))(x);
  const round = opts.round ?? Math.round;
  const codes = x.map((v) => round(((opts.q ?? 127) * v) / c));
  return opts.codes ? codes : codes.map((k) => (k * c) / (opts.d ?? 127));
}

const int8RoundTrip: Exercise = {
  name: 'int8RoundTrip',
  title: 'int8 absmax, one block there and back',
  task: 'Write a function that quantises one block of numbers with int8 absmax, as the core does, and returns the values read back from the codes.',
  check(value): Verdict {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (block) => values read back; it returned ${shown(value)}.`,
      );
    }
    for (const { values, about } of ROUND_TRIP_BLOCKS) {
      const got = callReader('Your function', () =>
        (value as (b: Float32Array) => unknown)(Float32Array.from(values)),
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = coreRoundTrip(values);
      const c = Math.max(...values.map(Math.abs));
      const where = `For ${about}, ${shown(values.map((x) => Number(x.toFixed(4))))}`;
      const isList =
        (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) &&
        v.length === values.length;
      if (!isList) {
        return notYet(
          `${where}, your function returned ${shown(v)}: return the ${String(values.length)} values read back, one per value of the block.`,
        );
      }
      const out = Array.from(v as ArrayLike<unknown>);
      if (out.some((x) => typeof x !== 'number')) {
        return notYet(`${where}, your function returned ${shown(out)}: return numbers.`);
      }
      const nums = out as number[];
      if (nums.some((x) => Number.isNaN(x)) && c === 0) {
        return notYet(
          `${where}, you return NaN: c = 0, and 0 / 0 is NaN. A block of zeros stores codes of 0 and reads back zeros.`,
        );
      }
      const tol = 1e-6 * Math.max(c, 1e-6);
      const same = (ys: readonly number[]) =>
        ys.every((y, i) => Math.abs((nums[i] ?? 0) - y) <= tol);
      if (same(want)) continue;
      const shownWant = shown(want.map((y) => Number(y.toFixed(4))));
      const top = Number(Math.max(...values).toFixed(4)); // what c is if taken without |·|
      const decider = Number((values.find((x) => Math.abs(x) === c) ?? 0).toFixed(4));
      const mistakes: readonly (readonly [readonly number[], string])[] = [
        [
          roundTrip(values, { codes: true }),
          'those are the codes round(127·x / c). Return the values read back from them: code · c / 127.',
        ],
        [
          values,
          'the values come back unchanged, so nothing was rounded. The stored code is a whole number, round(127·x / c); read back code · c / 127.',
        ],
        [
          roundTrip(values, { q: 128, d: 128 }),
          'the scale is 127, not 128: the codes run from −127 to 127 so that ±c maps to ±127 exactly (+128 does not fit in an int8).',
        ],
        [
          roundTrip(values, { q: 128 }),
          'you quantise with 128 and read back with 127. Use 127 both ways.',
        ],
        [
          roundTrip(values, { d: 128 }),
          'you quantise with 127 but read back with 128. Use 127 both ways.',
        ],
        [
          roundTrip(values, { round: Math.floor }),
          'Math.floor rounds down (−0.4 becomes −1). Round to the nearest whole number: Math.round.',
        ],
        [
          roundTrip(values, { round: Math.trunc }),
          'Math.trunc cuts towards zero (0.9 becomes 0). Round to the nearest whole number: Math.round.',
        ],
        [
          roundTrip(values, { c: (x) => Math.max(...x) }),
          `c is the largest absolute value, max |x|, not the largest value: here ${String(decider)} decides it, not ${String(top)}.`,
        ],
        [
          roundTrip(values, {
            c: (x) => Math.max(...x),
            round: (k) => Math.max(-127, Math.min(127, Math.round(k))),
          }),
          `c is the largest absolute value, max |x|, not the largest value: with c = ${String(top)}, ${String(decider)} is clipped.`,
        ],
      ];
      const hit = mistakes.find(([m]) => same(m));
      return notYet(
        `${where}, you return ${shown(nums.map((y) => Number(y.toFixed(4))))} and the core reads back ${shownWant}: ${hit?.[1] ?? 'c = max |x| over the block, the code round(127·x / c), the value read back code · c / 127.'}`,
      );
    }
    const big = ROUND_TRIP_BLOCKS[3]?.values ?? [];
    const c = Math.max(...big.map(Math.abs));
    const small = [
      ...new Set(
        coreRoundTrip(big)
          .filter((_, i) => Math.abs(big[i] ?? 0) < c)
          .map((y) => Number(y.toFixed(3))),
      ),
    ].sort((a, b) => a - b);
    return right(
      `Right: every value comes back within c/254 of where it was. In the block with one large value (${String(c)}), the small ones read back as ${small.join(', ')}: one outlier coarsens its whole block, which is why each block is small (64 values here) and keeps its own constant.`,
    );
  },
  hints: [
    'c is the block’s absolute maximum: Math.max(...block.map(Math.abs)).',
    'The code of x is Math.round(127 * x / c), a whole number from −127 to 127; the value read back is code * c / 127.',
    'When c is 0 every code is 0: return zeros instead of dividing by 0.',
  ],
  solution: `int8RoundTrip = (block) => {
  const c = Math.max(...Array.from(block, Math.abs)); // the block's absolute maximum
  if (c === 0) return Array.from(block, () => 0); // a block of zeros: codes 0, zeros back
  const codes = Array.from(block, (x) => Math.round((127 * x) / c)); // −127 … 127
  return codes.map((k) => (k * c) / 127);
}`,
};

/** The third exercise's rules: the model, the memory of the card, the shortest sequence. */
export const FIT_TASK = { model: 'Llama-2-13B', budgetGB: 24, minSequence: 2048 } as const;

/** The options a reader may set (what the lesson's chart offers, plus QLoRA's block size). */
const FIT_KEYS = ['method', 'lora', 'sequenceLength', 'batchSize', 'activations', 'quant'];

const GB = 1e9;
/** Bytes in GB (10⁹ bytes, as the lesson's chart counts), one decimal (two below 1 GB). */
const gb = (bytes: number) => `${(bytes / GB).toFixed(bytes < GB ? 2 : 1)} GB`;

/** The core's memory estimate for Llama-2-13B under a reader's options, or the core's refusal. */
export function fitMemory(
  options: MemoryOptions,
): { ok: true; memory: MemoryEstimate } | { ok: false; why: string } {
  try {
    return { ok: true, memory: trainingMemory(LLAMA2_13B, options) };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** What to change when a setting is over the budget, from the term that is largest. */
function overBudget(o: MemoryOptions, m: MemoryEstimate): string {
  const budget = FIT_TASK.budgetGB * GB;
  const terms = `weights ${gb(m.weights)}, gradients ${gb(m.gradients)}, Adam’s states ${gb(m.optimizer)}, activations ${gb(m.activations)}`;
  const head = `By the core’s trainingMemory this needs ${gb(m.total)}, more than ${String(FIT_TASK.budgetGB)} GB (${terms}).`;
  const largest = (['weights', 'gradients', 'optimizer', 'activations'] as const).reduce((a, t) =>
    m[t] > m[a] ? t : a,
  );
  if (largest === 'activations' && o.activations === 'full')
    return `${head} The activations kept in full take ${gb(m.activations)}: try "checkpointed", which keeps only each block’s input and recomputes the rest.`;
  if (largest === 'activations')
    return `${head} Even checkpointed, the activations of ${String(o.batchSize)} × ${en(o.sequenceLength)} tokens take ${gb(m.activations)}: put fewer sequences in a step (the sequences must stay at least ${en(FIT_TASK.minSequence)} tokens long).`;
  if (largest === 'weights' && o.method === 'lora') {
    const base = fitMemory({ ...o, method: 'full', activations: 'none' }); // its weights: the base
    const baseBytes = base.ok ? base.memory.weights : m.weights;
    return `${head} The 16-bit base alone takes ${gb(baseBytes)}${baseBytes > budget ? `, more than the ${String(FIT_TASK.budgetGB)} GB by itself` : ''}: no activation setting fixes that. Store the frozen base in 4 bits: method "qlora".`;
  }
  return `${head} The adapters of rank ${String(o.lora?.r ?? '?')} on ${String(o.lora?.targets.length ?? 0)} layers of each block are what is large: lower r or adapt fewer layers.`;
}

const willItFit: Exercise = {
  name: 'willItFit',
  title: 'Fine-tune a 13B model on one 24 GB card',
  task: 'Choose the method, LoRA rank and layers, sequence length (at least 2,048 tokens), batch and activation policy so that fine-tuning Llama-2-13B fits in 24 GB by the core’s trainingMemory; return the options.',
  check(value): Verdict {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return notYet(
        `The cell should return the options object {method, lora, sequenceLength, batchSize, activations}; it returned ${shown(value)}.`,
      );
    }
    const extra = Object.keys(value).filter((k) => !FIT_KEYS.includes(k));
    if (extra.length > 0) {
      return notYet(
        `Leave ${extra.map((k) => `“${k}”`).join(', ')} out: the question is which method and setting fit, with the core’s usual bytes per weight, gradient and Adam state. Set only ${FIT_KEYS.join(', ')}.`,
      );
    }
    const o = value as MemoryOptions;
    const method: unknown = o.method;
    if (method === 'full') {
      const states = fitMemory({ ...o, method: 'full', activations: 'none' });
      const held = states.ok
        ? `all ${(states.memory.params / 1e9).toFixed(1)} billion weights: their 16-bit copy, gradients and Adam’s states alone take ${gb(states.memory.total)}`
        : 'every weight: a 16-bit copy, gradients and Adam’s states of each';
      return notYet(
        `Full fine-tuning trains ${held}, before a single activation. No batch or sequence setting brings that under ${String(FIT_TASK.budgetGB)} GB; train adapters instead (method "lora" or "qlora").`,
      );
    }
    const activations: unknown = o.activations;
    if (activations === 'none') {
      return notYet(
        '"none" leaves the activations out of the count, but the backward pass needs them: choose "full" or "checkpointed".',
      );
    }
    const s: unknown = o.sequenceLength;
    if (typeof s === 'number' && s < FIT_TASK.minSequence) {
      return notYet(
        `Sequences of ${shown(s)} tokens are shorter than the task allows: they must be at least ${en(FIT_TASK.minSequence)} tokens long.`,
      );
    }
    const targets: unknown = (o.lora as { targets?: unknown } | undefined)?.targets;
    if (Array.isArray(targets) && targets.length === 0) {
      return notYet(
        'lora.targets is empty: with no adapted layer nothing trains. Name at least one.',
      );
    }
    const got = fitMemory(o);
    if (!got.ok) return notYet(`The core’s trainingMemory refuses these options: ${got.why}.`);
    const m = got.memory;
    if (m.total > FIT_TASK.budgetGB * GB) return notYet(overBudget(o, m));
    const as16 = o.method === 'qlora' ? fitMemory({ ...o, method: 'lora' }) : null;
    const inFull = o.activations === 'full' ? null : fitMemory({ ...o, activations: 'full' });
    const otherwise = [
      as16?.ok ? `with a 16-bit base (method "lora") would need ${gb(as16.memory.total)}` : '',
      inFull?.ok ? `with activations kept in full ${gb(inFull.memory.total)}` : '',
    ].filter((t) => t !== '');
    return right(
      `Right: ${o.method} on ${en(o.batchSize)} × ${en(o.sequenceLength)} tokens with activations ${o.activations} needs ${gb(m.total)} (weights ${gb(m.weights)}, gradients and Adam’s states ${gb(m.gradients + m.optimizer)}, activations ${gb(m.activations)}) and trains ${en(m.trainableParams)} weights.${otherwise.length > 0 ? ` The same setting ${otherwise.join(', and ')}.` : ''} Real usage is somewhat higher: the formula leaves out the framework’s own workspace.`,
    );
  },
  hints: [
    'Start from the starter and read what the check says is too large; change one thing at a time.',
    'Activations kept in full grow with the sequence length (and its square in attention): "checkpointed" keeps only each block’s input.',
    'A 16-bit copy of 13 billion weights is 26 GB by itself. Method "qlora" stores the block weights in NF4, about 4.1 bits each.',
  ],
  solution: `willItFit = ({
  method: "qlora", // the frozen base in NF4 (double-quantised constants)
  lora: {r: 16, targets: core.blockLinears(core.LLAMA2_13B).map((l) => l.name)}, // every linear layer
  sequenceLength: 2048,
  batchSize: 4,
  activations: "checkpointed" // keep each block's input, recompute the rest
})`,
};

/** The lesson's exercises, easy to hard. */
export const qloraExercises: readonly Exercise[] = [nf4Bytes, int8RoundTrip, willItFit];
