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
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise, Verdict } from './types.ts';
import { callReader, notYet, right, shown, translator, type Tr } from './verdict.ts';

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

const nf4Bytes = (tr: Tr): Exercise => ({
  name: 'nf4Bytes',
  title: tr(
    'The bytes NF4 holds for one matrix, by hand',
    'NF4が一つの行列に使うバイト数を手で求める',
  ),
  task: tr(
    'Return how many bytes NF4 with blocks of 64 holds for the encoder’s 128 × 512 feed-forward matrix: the 4-bit codes and one float32 constant per block, no double quantisation.',
    'エンコーダーの128 × 512のフィードフォワード行列を、64個ずつのブロックのNF4で格納すると何バイトになるかを返してください。4ビットのコードと、ブロックごとにfloat32の定数一つで、二重量子化はしません。',
  ),
  check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(
        tr(
          `The cell should return a number of bytes; it returned ${shown(value)}.`,
          `セルはバイト数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const { rows, cols, blockSize } = FFN_MATRIX;
    const n = rows * cols;
    const blocks = Math.ceil(n / blockSize);
    const want = ffnNf4Bytes();
    if (value === want.total) {
      return right(
        tr(
          `Right: ${en(n)} codes of 4 bits take ${en(want.codes)} bytes, and ${en(blocks)} blocks keep one 4-byte constant each, ${en(want.constants)} bytes: ${en(want.total)} bytes, ${((8 * want.total) / n).toFixed(1)} bits per weight, ${((100 * want.total) / (4 * n)).toFixed(1)}% of the ${en(4 * n)} bytes in float32.`,
          `正解：4ビットのコード${en(n)}個が${en(want.codes)}バイト、${en(blocks)}個のブロックがそれぞれ4バイトの定数を一つずつ持って${en(want.constants)}バイト、合わせて${en(want.total)}バイトです。重み1個あたり${((8 * want.total) / n).toFixed(1)}ビットで、float32での${en(4 * n)}バイトの${((100 * want.total) / (4 * n)).toFixed(1)}%です。`,
        ),
      );
    }
    if (value === 0)
      return notYet(
        tr(
          'The cell still returns 0: count the codes and the constants.',
          'セルはまだ0を返しています。コードと定数を数えてください。',
        ),
      );
    const said = tr(`${en(value)} bytes:`, `${en(value)}バイト：`);
    const mistakes: readonly (readonly [number, string])[] = [
      [
        want.codes,
        tr(
          `${said} that is the codes alone. Each block of ${String(blockSize)} values also keeps its constant c, a float32 of 4 bytes.`,
          `${said}それはコードだけです。${String(blockSize)}個の値からなる各ブロックは、4バイトのfloat32の定数cも持ちます。`,
        ),
      ],
      [
        n + 4 * blocks,
        tr(
          `${said} that counts a byte per code, which is int8’s size. An NF4 code is 4 bits: two codes share one byte.`,
          `${said}コード1個を1バイトと数えています。それはint8の大きさです。NF4のコードは4ビットなので、2個のコードで1バイトを共有します。`,
        ),
      ],
      [
        n,
        tr(
          `${said} that is a byte per code and no constants. A 4-bit code is half a byte.`,
          `${said}コード1個を1バイトとし、定数を数えていません。4ビットのコードは0.5バイトです。`,
        ),
      ],
      [
        8 * want.total,
        tr(
          `${said} that is the number of bits. Divide by 8 for bytes.`,
          `${said}それはビット数です。8で割るとバイト数になります。`,
        ),
      ],
      [
        want.codes + 2 * blocks,
        tr(
          `${said} a float32 constant is 4 bytes, and there is one per block of ${String(blockSize)} values (${en(blocks)} blocks).`,
          `${said}float32の定数は4バイトで、${String(blockSize)}個の値からなるブロックごとに一つあります（${en(blocks)}ブロック）。`,
        ),
      ],
      [
        want.codes + blocks,
        tr(
          `${said} you counted each constant as one byte, as double quantisation stores it. This question has no double quantisation: each constant is a 4-byte float32.`,
          `${said}二重量子化で格納する場合のように、定数を1個1バイトと数えています。この問題には二重量子化はないので、各定数は4バイトのfloat32です。`,
        ),
      ],
      [
        want.codes + 4 * rows,
        tr(
          `${said} that is one constant per row. The matrix is read as one long list and cut into blocks of ${String(blockSize)} values, each with its own constant.`,
          `${said}それは行ごとに定数一つの場合です。行列は一つの長いリストとして読まれ、${String(blockSize)}個ずつのブロックに区切られ、各ブロックが自分の定数を持ちます。`,
        ),
      ],
      [
        4 * n,
        tr(
          `${said} that is the float32 matrix, 4 bytes per weight.`,
          `${said}それはfloat32の行列、重み1個あたり4バイトの場合です。`,
        ),
      ],
    ];
    const hit = mistakes.find(([m]) => value === m);
    if (hit) return notYet(hit[1]);
    if (Math.abs(value * 1024 - want.total) < 1024 || Math.abs(value * 1000 - want.total) < 1000)
      return notYet(
        tr(
          `${shown(value)} looks like kilobytes; return the number of bytes.`,
          `${shown(value, tr.lang)}はキロバイト単位のようです。バイト数を返してください。`,
        ),
      );
    if (Math.abs(value - (8 * want.total) / n) < 0.05)
      return notYet(
        tr(
          `${shown(value)} is the bits per weight; the question asks for the bytes of the whole matrix.`,
          `${shown(value, tr.lang)}は重み1個あたりのビット数です。問われているのは行列全体のバイト数です。`,
        ),
      );
    return notYet(
      tr(
        `${shown(value)} bytes is not it. Add the codes (${en(n)} values at 4 bits each) and the constants (4 bytes per block of ${String(blockSize)} values).`,
        `${shown(value, tr.lang)}バイトは正しくありません。コード（${en(n)}個の値を各4ビット）と定数（${String(blockSize)}個の値からなるブロックごとに4バイト）を足してください。`,
      ),
    );
  },
  hints: [
    tr(
      'The matrix holds 128 · 512 = 65,536 weights, and each is stored as a 4-bit code.',
      '行列には128 · 512 = 65,536個の重みがあり、それぞれが4ビットのコードとして格納されます。',
    ),
    tr(
      'Two 4-bit codes fit in one byte. The blocks: 65,536 / 64 = 1,024, each with one float32 constant.',
      '4ビットのコードは1バイトに2個入ります。ブロックは65,536 / 64 = 1,024個で、それぞれがfloat32の定数を一つ持ちます。',
    ),
    tr('Bytes = 65,536 / 2 + 1,024 · 4.', 'バイト数 = 65,536 / 2 + 1,024 · 4。'),
  ],
  solution: `nf4Bytes = {
  const rows = 128, cols = 512, blockSize = 64;
  const values = rows * cols;
  const codes = values / 2; // ${tr('4 bits per code: two codes per byte', 'コード1個が4ビット：1バイトにコード2個')}
  const constants = 4 * Math.ceil(values / blockSize); // ${tr('one float32 absmax per block', 'ブロックごとに float32 の absmax が一つ')}
  return codes + constants;
}`,
});

/** The blocks the second exercise's function is tried on, each with what makes it a case. */
export const ROUND_TRIP_BLOCKS: readonly {
  readonly values: readonly number[];
  readonly about: string;
  /** `about` in Japanese. */
  readonly aboutJa: string;
}[] = [
  {
    values: [0.12, -0.5, 0.33, 0.9, -0.07, 0.41, -0.26, 0.05],
    about: 'an ordinary block',
    aboutJa: 'ごく普通のブロック',
  },
  {
    values: [0.3, -1.7, 0.9, -0.2, 0.6, 0.05, -0.8, 0.4],
    about: 'a block whose largest magnitude is a negative value, −1.7',
    aboutJa: '絶対値が最大の要素が負の値（−1.7）のブロック',
  },
  { values: [0, 0, 0, 0, 0, 0, 0, 0], about: 'a block of zeros', aboutJa: 'ゼロだけのブロック' },
  {
    values: [0.02, -0.03, 0.01, 6.5, -0.02, 0.04, 0, -0.01],
    about: 'a block with one large value, 6.5',
    aboutJa: '一つだけ大きな値（6.5）を含むブロック',
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

const int8RoundTrip = (tr: Tr): Exercise => ({
  name: 'int8RoundTrip',
  title: tr(
    'int8 absmax, one block there and back',
    'int8 absmaxで一つのブロックを格納して読み戻す',
  ),
  task: tr(
    'Write a function that quantises one block of numbers with int8 absmax, as the core does, and returns the values read back from the codes.',
    'コアと同じように一つのブロックの数をint8 absmaxで量子化し、コードから読み戻した値を返す関数を書いてください。',
  ),
  check(value): Verdict {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (block) => values read back; it returned ${shown(value)}.`,
          `セルは「(block) => 読み戻した値」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    for (const { values, about, aboutJa } of ROUND_TRIP_BLOCKS) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () => (value as (b: Float32Array) => unknown)(Float32Array.from(values)),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = coreRoundTrip(values);
      const c = Math.max(...values.map(Math.abs));
      const where = tr(
        `For ${about}, ${shown(values.map((x) => Number(x.toFixed(4))))}`,
        `${aboutJa}${shown(values.map((x) => Number(x.toFixed(4))))}に対して`,
      );
      const isList =
        (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) &&
        v.length === values.length;
      if (!isList) {
        return notYet(
          tr(
            `${where}, your function returned ${shown(v)}: return the ${String(values.length)} values read back, one per value of the block.`,
            `${where}、あなたの関数は${shown(v, tr.lang)}を返しました。ブロックの値1個につき1個、読み戻した${String(values.length)}個の値を返してください。`,
          ),
        );
      }
      const out = Array.from(v as ArrayLike<unknown>);
      if (out.some((x) => typeof x !== 'number')) {
        return notYet(
          tr(
            `${where}, your function returned ${shown(out)}: return numbers.`,
            `${where}、あなたの関数は${shown(out, tr.lang)}を返しました。数値を返してください。`,
          ),
        );
      }
      const nums = out as number[];
      if (nums.some((x) => Number.isNaN(x)) && c === 0) {
        return notYet(
          tr(
            `${where}, you return NaN: c = 0, and 0 / 0 is NaN. A block of zeros stores codes of 0 and reads back zeros.`,
            `${where}、NaNを返しています。c = 0で、0 / 0はNaNです。ゼロだけのブロックは0のコードを格納し、ゼロを読み戻します。`,
          ),
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
          tr(
            'those are the codes round(127·x / c). Return the values read back from them: code · c / 127.',
            'それはコードround(127·x / c)です。そこから読み戻した値code · c / 127を返してください。',
          ),
        ],
        [
          values,
          tr(
            'the values come back unchanged, so nothing was rounded. The stored code is a whole number, round(127·x / c); read back code · c / 127.',
            '値が変わらずに戻っているので、何も丸められていません。格納するコードは整数round(127·x / c)で、読み戻す値はcode · c / 127です。',
          ),
        ],
        [
          roundTrip(values, { q: 128, d: 128 }),
          tr(
            'the scale is 127, not 128: the codes run from −127 to 127 so that ±c maps to ±127 exactly (+128 does not fit in an int8).',
            'スケールは128ではなく127です。±cがちょうど±127に対応するように、コードは−127から127の範囲を取ります（+128はint8に入りません）。',
          ),
        ],
        [
          roundTrip(values, { q: 128 }),
          tr(
            'you quantise with 128 and read back with 127. Use 127 both ways.',
            '128で量子化し、127で読み戻しています。どちらも127を使ってください。',
          ),
        ],
        [
          roundTrip(values, { d: 128 }),
          tr(
            'you quantise with 127 but read back with 128. Use 127 both ways.',
            '127で量子化していますが、128で読み戻しています。どちらも127を使ってください。',
          ),
        ],
        [
          roundTrip(values, { round: Math.floor }),
          tr(
            'Math.floor rounds down (−0.4 becomes −1). Round to the nearest whole number: Math.round.',
            'Math.floorは切り捨てます（−0.4は−1になります）。最も近い整数に丸めてください：Math.round。',
          ),
        ],
        [
          roundTrip(values, { round: Math.trunc }),
          tr(
            'Math.trunc cuts towards zero (0.9 becomes 0). Round to the nearest whole number: Math.round.',
            'Math.truncはゼロに向かって切り捨てます（0.9は0になります）。最も近い整数に丸めてください：Math.round。',
          ),
        ],
        [
          roundTrip(values, { c: (x) => Math.max(...x) }),
          tr(
            `c is the largest absolute value, max |x|, not the largest value: here ${String(decider)} decides it, not ${String(top)}.`,
            `cは最大値ではなく最大絶対値max |x|です。ここでcを決めるのは${String(top)}ではなく${String(decider)}です。`,
          ),
        ],
        [
          roundTrip(values, {
            c: (x) => Math.max(...x),
            round: (k) => Math.max(-127, Math.min(127, Math.round(k))),
          }),
          tr(
            `c is the largest absolute value, max |x|, not the largest value: with c = ${String(top)}, ${String(decider)} is clipped.`,
            `cは最大値ではなく最大絶対値max |x|です。c = ${String(top)}では${String(decider)}がクリップされてしまいます。`,
          ),
        ],
      ];
      const hit = mistakes.find(([m]) => same(m));
      return notYet(
        tr(
          `${where}, you return ${shown(nums.map((y) => Number(y.toFixed(4))))} and the core reads back ${shownWant}: ${hit?.[1] ?? 'c = max |x| over the block, the code round(127·x / c), the value read back code · c / 127.'}`,
          `${where}、あなたの関数は${shown(nums.map((y) => Number(y.toFixed(4))))}を返し、コアは${shownWant}を読み戻します。${hit?.[1] ?? 'cはブロック全体のmax |x|、コードはround(127·x / c)、読み戻す値はcode · c / 127です。'}`,
        ),
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
      tr(
        `Right: every value comes back within c/254 of where it was. In the block with one large value (${String(c)}), the small ones read back as ${small.join(', ')}: one outlier coarsens its whole block, which is why each block is small (64 values here) and keeps its own constant.`,
        `正解：どの値も、元の位置からc/254以内に戻ります。大きな値（${String(c)}）を一つ含むブロックでは、小さな値は${small.join('、')}として読み戻されます。外れ値が一つあるとブロック全体が粗くなります。各ブロックを小さく（ここでは64個の値）して、それぞれに定数を持たせるのはそのためです。`,
      ),
    );
  },
  hints: [
    tr(
      'c is the block’s absolute maximum: Math.max(...block.map(Math.abs)).',
      'cはブロックの最大絶対値です：Math.max(...block.map(Math.abs))。',
    ),
    tr(
      'The code of x is Math.round(127 * x / c), a whole number from −127 to 127; the value read back is code * c / 127.',
      'xのコードはMath.round(127 * x / c)で、−127から127の整数です。読み戻す値はcode * c / 127です。',
    ),
    tr(
      'When c is 0 every code is 0: return zeros instead of dividing by 0.',
      'cが0のときはコードがすべて0です。0で割らずに、ゼロを返してください。',
    ),
  ],
  solution: `int8RoundTrip = (block) => {
  const c = Math.max(...Array.from(block, Math.abs)); // ${tr("the block's absolute maximum", 'ブロックの最大絶対値')}
  if (c === 0) return Array.from(block, () => 0); // ${tr('a block of zeros: codes 0, zeros back', 'ゼロだけのブロック：コードは0、読み戻す値もゼロ')}
  const codes = Array.from(block, (x) => Math.round((127 * x) / c)); // −127 … 127
  return codes.map((k) => (k * c) / 127);
}`,
});

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
function overBudget(o: MemoryOptions, m: MemoryEstimate, tr: Tr): string {
  const budget = FIT_TASK.budgetGB * GB;
  const terms = tr(
    `weights ${gb(m.weights)}, gradients ${gb(m.gradients)}, Adam’s states ${gb(m.optimizer)}, activations ${gb(m.activations)}`,
    `重み${gb(m.weights)}、勾配${gb(m.gradients)}、Adamの状態${gb(m.optimizer)}、活性化${gb(m.activations)}`,
  );
  const head = tr(
    `By the core’s trainingMemory this needs ${gb(m.total)}, more than ${String(FIT_TASK.budgetGB)} GB (${terms}).`,
    `コアのtrainingMemoryによると、この設定には${gb(m.total)}が必要で、${String(FIT_TASK.budgetGB)} GBを超えます（${terms}）。`,
  );
  const largest = (['weights', 'gradients', 'optimizer', 'activations'] as const).reduce((a, t) =>
    m[t] > m[a] ? t : a,
  );
  if (largest === 'activations' && o.activations === 'full')
    return tr(
      `${head} The activations kept in full take ${gb(m.activations)}: try "checkpointed", which keeps only each block’s input and recomputes the rest.`,
      `${head}すべて保持した活性化が${gb(m.activations)}を占めます。"checkpointed"を試してください。各ブロックの入力だけを保持し、残りは計算し直します。`,
    );
  if (largest === 'activations')
    return tr(
      `${head} Even checkpointed, the activations of ${String(o.batchSize)} × ${en(o.sequenceLength)} tokens take ${gb(m.activations)}: put fewer sequences in a step (the sequences must stay at least ${en(FIT_TASK.minSequence)} tokens long).`,
      `${head}checkpointedでも、${String(o.batchSize)} × ${en(o.sequenceLength)}トークンの活性化が${gb(m.activations)}を占めます。1ステップあたりの系列数を減らしてください（系列の長さは${en(FIT_TASK.minSequence)}トークン以上のままにします）。`,
    );
  if (largest === 'weights' && o.method === 'lora') {
    const base = fitMemory({ ...o, method: 'full', activations: 'none' }); // its weights: the base
    const baseBytes = base.ok ? base.memory.weights : m.weights;
    return tr(
      `${head} The 16-bit base alone takes ${gb(baseBytes)}${baseBytes > budget ? `, more than the ${String(FIT_TASK.budgetGB)} GB by itself` : ''}: no activation setting fixes that. Store the frozen base in 4 bits: method "qlora".`,
      `${head}16ビットのベースモデルだけで${gb(baseBytes)}を占め${baseBytes > budget ? `、それだけで${String(FIT_TASK.budgetGB)} GBを超え` : ''}ます。活性化の設定では解決できません。凍結したベースモデルを4ビットで格納してください：method "qlora"。`,
    );
  }
  return tr(
    `${head} The adapters of rank ${String(o.lora?.r ?? '?')} on ${String(o.lora?.targets.length ?? 0)} layers of each block are what is large: lower r or adapt fewer layers.`,
    `${head}大きいのは、各ブロックの${String(o.lora?.targets.length ?? 0)}層に置いたランク${String(o.lora?.r ?? '?')}のアダプターです。rを下げるか、適応させる層を減らしてください。`,
  );
}

const willItFit = (tr: Tr): Exercise => ({
  name: 'willItFit',
  title: tr(
    'Fine-tune a 13B model on one 24 GB card',
    '13Bのモデルを24 GBのカード1枚でファインチューニングする',
  ),
  task: tr(
    'Choose the method, LoRA rank and layers, sequence length (at least 2,048 tokens), batch and activation policy so that fine-tuning Llama-2-13B fits in 24 GB by the core’s trainingMemory; return the options.',
    'コアのtrainingMemoryでLlama-2-13Bのファインチューニングが24 GBに収まるように、手法、LoRAのランクと層、系列の長さ（2,048トークン以上）、バッチ、活性化の保持方法を選び、そのオプションを返してください。',
  ),
  check(value): Verdict {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return notYet(
        tr(
          `The cell should return the options object {method, lora, sequenceLength, batchSize, activations}; it returned ${shown(value)}.`,
          `セルはオプションのオブジェクト{method, lora, sequenceLength, batchSize, activations}を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const extra = Object.keys(value).filter((k) => !FIT_KEYS.includes(k));
    if (extra.length > 0) {
      return notYet(
        tr(
          `Leave ${extra.map((k) => `“${k}”`).join(', ')} out: the question is which method and setting fit, with the core’s usual bytes per weight, gradient and Adam state. Set only ${FIT_KEYS.join(', ')}.`,
          `${extra.map((k) => `「${k}」`).join('')}は外してください。問われているのは、コアの通常の重み・勾配・Adamの状態あたりのバイト数で、どの手法と設定が収まるかです。設定するのは${FIT_KEYS.join('、')}だけです。`,
        ),
      );
    }
    const o = value as MemoryOptions;
    const method: unknown = o.method;
    if (method === 'full') {
      const states = fitMemory({ ...o, method: 'full', activations: 'none' });
      const held = states.ok
        ? tr(
            `all ${(states.memory.params / 1e9).toFixed(1)} billion weights: their 16-bit copy, gradients and Adam’s states alone take ${gb(states.memory.total)}`,
            `${(states.memory.params / 1e8).toFixed(0)}億個すべての重みを学習します。その16ビットのコピー、勾配、Adamの状態だけで${gb(states.memory.total)}を占めます`,
          )
        : tr(
            'every weight: a 16-bit copy, gradients and Adam’s states of each',
            'すべての重みを学習し、重みごとに16ビットのコピー、勾配、Adamの状態を持ちます',
          );
      return notYet(
        tr(
          `Full fine-tuning trains ${held}, before a single activation. No batch or sequence setting brings that under ${String(FIT_TASK.budgetGB)} GB; train adapters instead (method "lora" or "qlora").`,
          `フルファインチューニングは${held}。活性化を数える前の時点で、バッチや系列の設定をどう変えても${String(FIT_TASK.budgetGB)} GB未満にはなりません。代わりにアダプターを学習してください（method "lora"または"qlora"）。`,
        ),
      );
    }
    const activations: unknown = o.activations;
    if (activations === 'none') {
      return notYet(
        tr(
          '"none" leaves the activations out of the count, but the backward pass needs them: choose "full" or "checkpointed".',
          '"none"は活性化を数に入れませんが、逆伝播には活性化が必要です。"full"か"checkpointed"を選んでください。',
        ),
      );
    }
    const s: unknown = o.sequenceLength;
    if (typeof s === 'number' && s < FIT_TASK.minSequence) {
      return notYet(
        tr(
          `Sequences of ${shown(s)} tokens are shorter than the task allows: they must be at least ${en(FIT_TASK.minSequence)} tokens long.`,
          `${shown(s, tr.lang)}トークンの系列は短すぎます。この課題では、系列は${en(FIT_TASK.minSequence)}トークン以上でなければなりません。`,
        ),
      );
    }
    const targets: unknown = (o.lora as { targets?: unknown } | undefined)?.targets;
    if (Array.isArray(targets) && targets.length === 0) {
      return notYet(
        tr(
          'lora.targets is empty: with no adapted layer nothing trains. Name at least one.',
          'lora.targetsが空です。適応させる層がなければ何も学習しません。少なくとも一つ指定してください。',
        ),
      );
    }
    const got = fitMemory(o);
    if (!got.ok)
      return notYet(
        tr(
          `The core’s trainingMemory refuses these options: ${got.why}.`,
          `コアのtrainingMemoryがこのオプションを拒否しました：${got.why}`,
        ),
      );
    const m = got.memory;
    if (m.total > FIT_TASK.budgetGB * GB) return notYet(overBudget(o, m, tr));
    const as16 = o.method === 'qlora' ? fitMemory({ ...o, method: 'lora' }) : null;
    const inFull = o.activations === 'full' ? null : fitMemory({ ...o, activations: 'full' });
    const otherwise = [
      as16?.ok
        ? tr(
            `with a 16-bit base (method "lora") would need ${gb(as16.memory.total)}`,
            `ベースモデルが16ビット（method "lora"）なら${gb(as16.memory.total)}`,
          )
        : '',
      inFull?.ok
        ? tr(
            `with activations kept in full ${gb(inFull.memory.total)}`,
            `活性化をすべて保持するなら${gb(inFull.memory.total)}`,
          )
        : '',
    ].filter((t) => t !== '');
    return right(
      tr(
        `Right: ${o.method} on ${en(o.batchSize)} × ${en(o.sequenceLength)} tokens with activations ${o.activations} needs ${gb(m.total)} (weights ${gb(m.weights)}, gradients and Adam’s states ${gb(m.gradients + m.optimizer)}, activations ${gb(m.activations)}) and trains ${en(m.trainableParams)} weights.${otherwise.length > 0 ? ` The same setting ${otherwise.join(', and ')}.` : ''} Real usage is somewhat higher: the formula leaves out the framework’s own workspace.`,
        `正解：${o.method}で${en(o.batchSize)} × ${en(o.sequenceLength)}トークン、活性化${o.activations}の設定には${gb(m.total)}が必要で（重み${gb(m.weights)}、勾配とAdamの状態${gb(m.gradients + m.optimizer)}、活性化${gb(m.activations)}）、${en(m.trainableParams)}個の重みを学習します。${otherwise.length > 0 ? `同じ設定で、${otherwise.join('、')}が必要です。` : ''}実際の使用量はこれより多少大きくなります。この式はフレームワーク自身の作業領域を含まないからです。`,
      ),
    );
  },
  hints: [
    tr(
      'Start from the starter and read what the check says is too large; change one thing at a time.',
      '最初のコードから始めて、確認が何を大きすぎると言うかを読んでください。一度に一つずつ変えます。',
    ),
    tr(
      'Activations kept in full grow with the sequence length (and its square in attention): "checkpointed" keeps only each block’s input.',
      'すべて保持した活性化は系列の長さに比例して（アテンションではその2乗で）増えます。"checkpointed"は各ブロックの入力だけを保持します。',
    ),
    tr(
      'A 16-bit copy of 13 billion weights is 26 GB by itself. Method "qlora" stores the block weights in NF4, about 4.1 bits each.',
      '130億個の重みの16ビットのコピーだけで26 GBになります。method "qlora"はブロックの重みをNF4で格納し、1個あたり約4.1ビットです。',
    ),
  ],
  solution: `willItFit = ({
  method: "qlora", // ${tr('the frozen base in NF4 (double-quantised constants)', '凍結したベースモデルを NF4 で（定数は二重量子化）')}
  lora: {r: 16, targets: core.blockLinears(core.LLAMA2_13B).map((l) => l.name)}, // ${tr('every linear layer', 'すべての線形層')}
  sequenceLength: 2048,
  batchSize: 4,
  activations: "checkpointed" // ${tr("keep each block's input, recompute the rest", '各ブロックの入力を保持し、残りは計算し直す')}
})`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function qloraExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [nf4Bytes(tr), int8RoundTrip(tr), willItFit(tr)];
}

/** The lesson's exercises in English. */
export const qloraExercises: readonly Exercise[] = qloraExercisesIn('en');
