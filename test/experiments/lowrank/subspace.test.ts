/**
 * The low-rank lesson's "structure or count?" arm at test sizes: `loraTrainable` counts what LoRA
 * trains (the closed form r·(in + out) per module plus the classifier) and leaves the encoder as it
 * was; a random-subspace run trains exactly d coordinates — its whole update θ − θ0 lies in the
 * span of the seeded sparse projection (solved by least squares here), the MLM head never moves —
 * and a run is a function of its seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Rng } from '../../../src/core/rng.ts';
import { paramLayout, readTheta } from '../../../src/core/subspace/layout.ts';
import { makeProjection } from '../../../src/core/subspace/projection.ts';
import {
  LowRankError,
  fineTuneToEnd,
  loraTrainable,
  methodLabel,
} from '../../../src/experiments/lowrank/index.ts';
import { separableRows } from '../fixtures.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';

const config = encoderConfig('micro', {
  numLabels: 2,
  mlmHead: true,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});

const rows = separableRows;
const train = rows(1, 64, 8);
const validation = rows(2, 32, 8);
const test = rows(3, 32, 8);
const notHead = (name: string): boolean => !name.startsWith('lm_head.');

/** Solves the d×d system M·x = b (Gauss–Jordan elimination with partial pivoting, float64). */
function solve(M: readonly Float64Array[], b: Float64Array): Float64Array {
  const d = b.length;
  const A: Float64Array[] = M.map((row, i) => Float64Array.from([...row, b[i] ?? 0]));
  const at = (r: number): Float64Array => {
    const row = A[r];
    if (!row) throw new Error(`no row ${String(r)}`);
    return row;
  };
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(at(r)[c] ?? 0) > Math.abs(at(p)[c] ?? 0)) p = r;
    const pivot = at(p);
    A[p] = at(c);
    A[c] = pivot;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const row = at(r);
      const f = (row[c] ?? 0) / (pivot[c] ?? 1);
      for (let k = c; k <= d; k++) row[k] = (row[k] ?? 0) - f * (pivot[k] ?? 0);
    }
  }
  return Float64Array.from({ length: d }, (_, i) => (at(i)[d] ?? 0) / (at(i)[i] ?? 1));
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('random subspace with as many weights as LoRA', () => {
  checkNoLeaks();

  it('loraTrainable is r·(in + out) per linear module plus the classifier, and changes nothing', () => {
    const enc = new Encoder(config, { seed: 0 });
    try {
      const names = enc.namedParameters().map((p) => `${p.name}:${String(p.variable.trainable)}`);
      const H = config.hiddenSize;
      const I = config.intermediateSize;
      const perRank = config.numHiddenLayers * (4 * (H + H) + (H + I) + (I + H));
      const classifier = H * H + H + H * 2 + 2;
      for (const r of [1, 2, 8]) expect(loraTrainable(enc, r)).toBe(r * perRank + classifier);
      expect(enc.namedParameters().map((p) => `${p.name}:${String(p.variable.trainable)}`)).toEqual(
        names,
      );
    } finally {
      enc.dispose();
    }
  });

  it('trains d coordinates: θ − θ0 lies in the span of the seeded projection, the head stays', async () => {
    const d = 12;
    const seed = 4;
    const enc = new Encoder(config, { seed: 7 });
    try {
      const layout = paramLayout(enc.namedParameters(), notHead);
      const head = paramLayout(enc.namedParameters(), (n) => !notHead(n));
      const theta0 = await readTheta(layout);
      const head0 = await readTheta(head);
      const run = await fineTuneToEnd({
        encoder: enc,
        train,
        validation,
        test,
        method: { kind: 'subspace', d },
        seed,
        steps: 5,
        batchSize: 16,
        learningRate: 0.05,
      });
      run.dispose();
      expect(run.trainable).toBe(d);
      expect(run.steps).toBe(5);
      expect(methodLabel(run.method)).toBe('random subspace d=12');
      expect(Array.from(await readTheta(head))).toEqual(Array.from(head0));
      const delta = Float64Array.from(await readTheta(layout), (v, i) => v - (theta0[i] ?? 0));
      const norm = Math.hypot(...delta);
      expect(norm).toBeGreaterThan(1e-3); // it moved
      // Least squares in the projection's columns: (PᵀP)·x = Pᵀ·Δθ, then ‖P·x − Δθ‖ ≈ 0.
      const P = makeProjection(
        'sparse',
        layout.entries.map((e) => e.size),
        d,
        new Rng(seed).fork('projection'),
      );
      const cols = Array.from({ length: d }, (_, j) => {
        const v = new Float64Array(layout.D);
        const c = P.column(j);
        c.rows.forEach((r, k) => (v[r] = c.values[k] ?? 0));
        return v;
      });
      const dot = (a: Float64Array, b: Float64Array): number =>
        a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
      const x = solve(
        cols.map((a) => Float64Array.from(cols, (b) => dot(a, b))),
        Float64Array.from(cols, (a) => dot(a, delta)),
      );
      const residual = delta.map(
        (v, i) => v - cols.reduce((s, c, j) => s + (c[i] ?? 0) * (x[j] ?? 0), 0),
      );
      expect(Math.hypot(...residual) / norm).toBeLessThan(1e-4); // float32 weights
    } finally {
      enc.dispose();
    }
  });

  it('a run is a function of its seed, and a bad d is refused naming the field', async () => {
    const go = async (seed: number) => {
      const enc = new Encoder(config, { seed: 7 });
      try {
        const run = await fineTuneToEnd({
          encoder: enc,
          train,
          validation,
          test,
          method: { kind: 'subspace', d: 30 },
          seed,
          steps: 4,
          batchSize: 16,
          learningRate: 0.05,
        });
        run.dispose();
        return [run.finalLoss, run.accuracy.validation, run.accuracy.test];
      } finally {
        enc.dispose();
      }
    };
    const a = await go(1);
    expect(await go(1)).toEqual(a);
    expect(await go(2)).not.toEqual(a);
    const enc = new Encoder(config, { seed: 7 });
    try {
      const bad = fineTuneToEnd({
        encoder: enc,
        train,
        validation,
        test,
        method: { kind: 'subspace', d: 0 },
        seed: 0,
        steps: 2,
        learningRate: 0.05,
      });
      await expect(bad).rejects.toThrow(LowRankError);
      await expect(bad).rejects.toThrow(/^d = 0/);
    } finally {
      enc.dispose();
    }
  });
});
