/**
 * Claims of lessons/qlora.mdx: the quantised bases and LoRA on them (results/qlora/sentiment.json,
 * made by `npm run reproduce:qlora`).
 */
import { all, pct, rounds, type Claim, type Results } from './claim.ts';

const FILE = 'results/qlora/sentiment.json';

interface Base {
  base: string;
  blockBytes: number;
  otherBytes: number;
  matrices: { relativeError: number }[];
  mlm: { loss: number; accuracy: number; positions: number };
  runs: { seed: number; accuracy: number }[];
}

/** The entry of `name` in the results. */
function base(results: Results, name: string): Base {
  const b = (results.bases as Base[]).find((x) => x.base === name);
  if (!b) throw new Error(`no base ${name}`);
  return b;
}

/** Mean relative error over the matrices of a base, in percent. */
const meanError = (b: Base): number =>
  (100 * b.matrices.reduce((a, m) => a + m.relativeError, 0)) / b.matrices.length;

/** Mean and sample standard deviation of a base's test accuracy. */
function acc(b: Base): { mean: number; sd: number } {
  const xs = b.runs.map((r) => r.accuracy);
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

/** Masked words predicted right. */
const right = (b: Base): number => Math.round(b.mlm.accuracy * b.mlm.positions);

const KIB = 1024;
const BASES = ['float32', 'int8', 'nf4', 'nf4-dq'] as const;

const quantClaims: Claim[] = [
  {
    sentence:
      'Stored as NF4 with double quantisation, the twelve block matrices hold 198 KiB instead of 1,536 KiB, 12.9% of their float32 bytes, although each weight read back is off by 9.2% on average (int8: 0.6%, at 27% of the bytes).',
    file: FILE,
    check: (r) => {
      const [f, i8, dq] = [base(r, 'float32'), base(r, 'int8'), base(r, 'nf4-dq')];
      return all(
        dq.matrices.length === 12 ? null : `${String(dq.matrices.length)} matrices`,
        rounds('NF4+DQ KiB', dq.blockBytes / KIB, 198),
        rounds('float32 KiB', f.blockBytes / KIB, 1536),
        rounds('share %', (100 * dq.blockBytes) / f.blockBytes, 12.9, 1),
        rounds('NF4+DQ error %', meanError(dq), 9.2, 1),
        rounds('int8 error %', meanError(i8), 0.6, 1),
        rounds('int8 share %', (100 * i8.blockBytes) / f.blockBytes, 27),
      );
    },
  },
  {
    sentence: 'The rest of the model, 8,233 KiB, is mostly the word-embedding table',
    file: FILE,
    check: (r) =>
      all(
        ...BASES.map((b) => rounds(`${b} rest KiB`, base(r, b).otherBytes / KIB, 8233)),
        // the table: 16,000 × 128 float32 weights of the 8,430,600 bytes
        base(r, 'float32').otherBytes > 2 * 16000 * 128 * 4 ? 'the table is not most' : null,
      ),
  },
  {
    sentence:
      'NF4 moved the masked-word loss from 5.129 to 5.134 nats and got 2 fewer of the 1,380 hidden words right; int8 and NF4 with double quantisation got as many right as the float32 model, 27.4%.',
    file: FILE,
    check: (r) => {
      const [f, i8, n4, dq] = BASES.map((b) => base(r, b)) as [Base, Base, Base, Base];
      return all(
        rounds('float32 loss', f.mlm.loss, 5.129, 3),
        rounds('NF4 loss', n4.mlm.loss, 5.134, 3),
        f.mlm.positions === 1380 ? null : `${String(f.mlm.positions)} positions`,
        right(f) - right(n4) === 2 ? null : `NF4: ${String(right(f) - right(n4))} fewer right`,
        right(i8) === right(f) && right(dq) === right(f) ? null : 'int8 / NF4+DQ differ',
        rounds('float32 accuracy', pct(f.mlm.accuracy), 27.4, 1),
      );
    },
  },
  {
    sentence:
      'LoRA trained on top reached 82.1 ± 1.9% on the float32 base, 82.6 ± 3.4% on int8, 82.8 ± 0.5% on NF4 and 83.3 ± 2.0% on NF4 with double quantisation.',
    file: FILE,
    check: (r) => {
      const stated: Record<(typeof BASES)[number], [number, number]> = {
        float32: [82.1, 1.9],
        int8: [82.6, 3.4],
        nf4: [82.8, 0.5],
        'nf4-dq': [83.3, 2.0],
      };
      return all(
        ...BASES.flatMap((b) => {
          const a = acc(base(r, b));
          const [m, sd] = stated[b];
          return [
            base(r, b).runs.length === 3 ? null : `${b}: ${String(base(r, b).runs.length)} seeds`,
            rounds(`${b} mean`, 100 * a.mean, m, 1),
            rounds(`${b} sd`, 100 * a.sd, sd, 1),
          ];
        }),
      );
    },
  },
  {
    sentence:
      'The four means lie within 1.2 points of each other, while the three seeds of one base spread over up to 6.3 points',
    file: FILE,
    check: (r) => {
      const means = BASES.map((b) => 100 * acc(base(r, b)).mean);
      const spreads = BASES.map((b) => {
        const xs = base(r, b).runs.map((x) => 100 * x.accuracy);
        return Math.max(...xs) - Math.min(...xs);
      });
      return all(
        rounds('spread of means', Math.max(...means) - Math.min(...means), 1.2, 1),
        rounds('largest seed spread', Math.max(...spreads), 6.3, 1),
      );
    },
  },
  {
    sentence: 'These runs are short (160 steps of 32 sentences, about two epochs)',
    file: FILE,
    check: (r) => {
      const s = r.settings as { steps: number; batchSize: number; seeds: number[] };
      return all(
        s.steps === 160 ? null : `steps ${String(s.steps)}`,
        s.batchSize === 32 ? null : `batch ${String(s.batchSize)}`,
        rounds('epochs', (s.steps * s.batchSize) / 2379, 2),
      );
    },
  },
  {
    sentence:
      'NF4 with double quantisation held the block matrices in 12.9% of their float32 bytes with a 9.2% error per weight',
    file: FILE,
    check: (r) =>
      all(
        rounds(
          'share %',
          (100 * base(r, 'nf4-dq').blockBytes) / base(r, 'float32').blockBytes,
          12.9,
          1,
        ),
        rounds('error %', meanError(base(r, 'nf4-dq')), 9.2, 1),
      ),
  },
];

const VARIANTS_FILE = 'results/qlora/variants.json';

interface Variant {
  variant: string;
  learningRate: number;
  search: { learningRate: number; validation: number }[];
  runs: { accuracy: number; trainable: number }[];
}

/** The entry of `name` in the variants results. */
function variant(results: Results, name: string): Variant {
  const v = (results.variants as Variant[]).find((x) => x.variant === name);
  if (!v) throw new Error(`no variant ${name}`);
  return v;
}

/** Mean and sample sd of a variant's test accuracy, in percent. */
function vAcc(v: Variant): { mean: number; sd: number } {
  const xs = v.runs.map((r) => 100 * r.accuracy);
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) };
}

/** The validation accuracy of the chosen rate, in percent. */
const chosenValidation = (v: Variant): number =>
  100 * Math.max(...v.search.map((x) => x.validation));

const NAMES = ['lora', 'rslora', 'loraplus', 'dora', 'pissa'] as const;

const variantClaims: Claim[] = [
  {
    sentence:
      'On the validation sentences, where the learning rates were chosen, the five land within 2 points of each other (76.0% to 78.0%), plain LoRA highest.',
    file: VARIANTS_FILE,
    check: (r) => {
      const best = NAMES.map((n) => chosenValidation(variant(r, n)));
      return all(
        rounds('lowest', Math.min(...best), 76.0, 1),
        rounds('highest', Math.max(...best), 78.0, 1),
        chosenValidation(variant(r, 'lora')) === Math.max(...best) ? null : 'LoRA is not highest',
      );
    },
  },
  {
    sentence:
      'On the test sentences rsLoRA averaged 84.8 ± 1.6%, DoRA 83.2 ± 1.3%, PiSSA 83.1 ± 0.5% and plain LoRA 82.1 ± 1.9%: differences of 1.0 to 2.7 points',
    file: VARIANTS_FILE,
    check: (r) => {
      const stated: [string, number, number][] = [
        ['rslora', 84.8, 1.6],
        ['dora', 83.2, 1.3],
        ['pissa', 83.1, 0.5],
        ['lora', 82.1, 1.9],
      ];
      const lora = vAcc(variant(r, 'lora')).mean;
      const diffs = ['rslora', 'dora', 'pissa'].map((n) => vAcc(variant(r, n)).mean - lora);
      return all(
        ...stated.flatMap(([n, m, sd]) => [
          rounds(`${n} mean`, vAcc(variant(r, n)).mean, m, 1),
          rounds(`${n} sd`, vAcc(variant(r, n)).sd, sd, 1),
        ]),
        rounds('smallest difference', Math.min(...diffs), 1.0, 1),
        rounds('largest difference', Math.max(...diffs), 2.7, 1),
      );
    },
  },
  {
    sentence:
      'four of the five variants picked the lower of the two rates, so their best rate may lie lower still',
    file: VARIANTS_FILE,
    check: (r) => {
      const low = Math.min(...(r.settings as { candidates: number[] }).candidates);
      const picked = NAMES.filter((n) => variant(r, n).learningRate === low).length;
      return picked === 4 ? null : `${String(picked)} picked the lower rate`;
    },
  },
  {
    sentence: 'LoRA+ is the exception, at 78.4 ± 3.0%.',
    file: VARIANTS_FILE,
    check: (r) => {
      const a = vAcc(variant(r, 'loraplus'));
      return all(rounds('mean', a.mean, 78.4, 1), rounds('sd', a.sd, 3.0, 1));
    },
  },
  {
    sentence:
      'With $B$ learning 16 times faster than $A$, the larger rate sent it to chance on validation (50.0%), and at the smaller one it still trailed.',
    file: VARIANTS_FILE,
    check: (r) => {
      const v = variant(r, 'loraplus');
      const high = v.search.reduce((a, x) => (x.learningRate > a.learningRate ? x : a));
      const ratio = (r.settings as { loraplusLrRatio: number }).loraplusLrRatio;
      return all(
        ratio === 16 ? null : `ratio ${String(ratio)}`,
        rounds('validation at the larger rate', 100 * high.validation, 50.0, 1),
        v.learningRate < high.learningRate ? null : 'the larger rate was chosen',
        vAcc(v).mean < vAcc(variant(r, 'lora')).mean ? null : 'LoRA+ did not trail',
      );
    },
  },
  {
    sentence:
      "DoRA, the one variant that adds weights, trains 55,938 against LoRA's 53,634 (one magnitude per output unit of each adapted module).",
    file: VARIANTS_FILE,
    check: (r) =>
      all(
        variant(r, 'dora').runs[0]?.trainable === 55938 ? null : 'DoRA count',
        ...['lora', 'rslora', 'loraplus', 'pissa'].map((n) =>
          variant(r, n).runs[0]?.trainable === 53634 ? null : `${n} count`,
        ),
      ),
  },
  {
    sentence:
      'Tuned on the same two learning rates, rsLoRA, DoRA and PiSSA landed within the seed-to-seed spread of plain LoRA on our task',
    file: VARIANTS_FILE,
    check: (r) => {
      // Each of the three differs from LoRA by less than the larger of the two seed spreads.
      const spread = (v: Variant): number => {
        const xs = v.runs.map((x) => 100 * x.accuracy);
        return Math.max(...xs) - Math.min(...xs);
      };
      const lora = variant(r, 'lora');
      return all(
        ...['rslora', 'dora', 'pissa'].map((n) => {
          const v = variant(r, n);
          const d = Math.abs(vAcc(v).mean - vAcc(lora).mean);
          return d < Math.max(spread(v), spread(lora)) ? null : `${n} differs by ${d.toFixed(1)}`;
        }),
      );
    },
  },
];

export const claims: readonly Claim[] = [...quantClaims, ...variantClaims];
