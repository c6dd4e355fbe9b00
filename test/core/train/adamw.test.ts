/**
 * The core's Adam is the one AdamW of the project: lessons use it plain, `npm run pretrain` with
 * RoBERTa's AdamW settings (scripts/lib/adamw.ts, its own AdamW until issue 17, is gone). Checked
 * here: its updates agree with that AdamW's formula, written out below as it was, to float32
 * rounding (the two order their float operations differently, so bits may differ in the last
 * place; same inputs give the same result to ~1e-6); weight decay reaches dense weights only; and
 * a run saved with `moments()` and resumed with `restore()` continues bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, decaysByConvention } from '../../../src/core/train/adam.ts';
import { Rng, randn } from '../../../src/core/rng.ts';
import { checkNoLeaks, useBackend } from '../helpers.ts';

/** scripts/lib/adamw.ts's update, as it was (β₁ 0.9, β₂ 0.98, ε 1e-6, λ 0.01). */
function referenceAdamW(): (
  vars: ReadonlyMap<string, tf.Variable>,
  grads: Readonly<Record<string, tf.Tensor>>,
  lr: number,
) => void {
  const m = new Map<string, tf.Tensor>();
  const v = new Map<string, tf.Tensor>();
  let t = 0;
  return (vars, grads, lr) => {
    t++;
    const bc1 = 1 - 0.9 ** t;
    const bc2 = 1 - 0.98 ** t;
    for (const [name, w] of vars) {
      const g = grads[name];
      if (g === undefined) continue;
      const m0 = m.get(name) ?? tf.zerosLike(w);
      const v0 = v.get(name) ?? tf.zerosLike(w);
      const m1 = tf.tidy(() => tf.add(tf.mul(m0, 0.9), tf.mul(g, 0.1)));
      const v1 = tf.tidy(() => tf.add(tf.mul(v0, 0.98), tf.mul(tf.square(g), 1 - 0.98)));
      tf.dispose([m0, v0]);
      m.set(name, m1);
      v.set(name, v1);
      tf.tidy(() => {
        const step = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), 1e-6));
        const decay = decaysByConvention(name) ? tf.mul(w, lr * 0.01) : tf.scalar(0);
        w.assign(tf.sub(tf.sub(w, tf.mul(step, lr)), decay));
      });
    }
    if (vars.size === 0) tf.dispose([...m.values(), ...v.values()]);
  };
}

const NAMES = ['layer.0.dense.weight', 'layer.0.dense.bias', 'layer.0.LayerNorm.weight'];

let made = 0;
/** The three parameters, drawn from `seed` (TF.js variable names must be unique: `name#k`). */
function makeVars(seed: number): Map<string, tf.Variable> {
  const rng = new Rng(seed);
  made++;
  return new Map(
    NAMES.map((n) => {
      const init = randn(rng, [4, 3]);
      const v = tf.variable(init, true, `${n}#${made}`); // a copy
      init.dispose();
      return [n, v];
    }),
  );
}

function adamW(vars: ReadonlyMap<string, tf.Variable>, lr: (t: number) => number): Adam {
  return new Adam({
    learningRate: lr,
    beta2: 0.98,
    epsilon: 1e-6,
    weightDecay: 0.01,
    noDecay: new Set([...vars].filter(([n]) => !decaysByConvention(n)).map(([, v]) => v)),
  });
}

function gradsAt(step: number, vars: ReadonlyMap<string, tf.Variable>): Record<string, tf.Tensor> {
  const rng = new Rng(100 + step);
  return Object.fromEntries([...vars.values()].map((v) => [v.name, randn(rng, v.shape)]));
}

const lrAt = (t: number): number => 1e-2 * (1 + t) ** -0.5;

describe('the core Adam as AdamW (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('agrees with the pretraining script’s AdamW formula over 30 steps', () => {
    const a = makeVars(1);
    const b = makeVars(1);
    const opt = adamW(a, lrAt);
    const ref = referenceAdamW();
    for (let step = 0; step < 30; step++) {
      const ga = gradsAt(step, a);
      opt.applyGradients([...a.values()], ga);
      const gb = gradsAt(step, b);
      const named: Record<string, tf.Tensor> = {};
      for (const [n, v] of b) {
        const g = gb[v.name];
        if (g) named[n] = g;
      }
      ref(b, named, lrAt(step));
      tf.dispose([...Object.values(ga), ...Object.values(gb)]);
    }
    for (const n of NAMES) {
      const x = a.get(n)?.dataSync() ?? new Float32Array();
      const y = b.get(n)?.dataSync() ?? new Float32Array();
      expect(x.length).toBe(12);
      let worst = 0;
      x.forEach((xi, i) => (worst = Math.max(worst, Math.abs(xi - (y[i] ?? NaN)))));
      expect(worst, n).toBeLessThan(1e-5);
    }
    // they did move: 30 steps at ~1e-2 change every weight by far more than the tolerance
    const start = makeVars(1);
    const moved = Math.abs(
      (a.get(NAMES[0] ?? '')?.dataSync()[0] ?? 0) - (start.get(NAMES[0] ?? '')?.dataSync()[0] ?? 0),
    );
    expect(moved).toBeGreaterThan(1e-2);
    opt.dispose();
    ref(new Map(), {}, 0);
    tf.dispose([...a.values(), ...b.values(), ...start.values()]);
  });

  it('decays dense weights only: with zero gradients only they shrink, by exactly lr·λ', () => {
    expect(NAMES.map(decaysByConvention)).toEqual([true, false, false]);
    expect(decaysByConvention('roberta.embeddings.word_embeddings.weight')).toBe(false);
    const vars = makeVars(2);
    const before = new Map([...vars].map(([n, v]) => [n, v.dataSync().slice()]));
    const opt = adamW(vars, () => 0.1);
    const zeros = Object.fromEntries([...vars.values()].map((v) => [v.name, tf.zerosLike(v)]));
    opt.applyGradients([...vars.values()], zeros);
    tf.dispose(Object.values(zeros));
    for (const [n, v] of vars) {
      const now = v.dataSync();
      const was = before.get(n) ?? new Float32Array();
      now.forEach((x, i) => {
        const w = was[i] ?? NaN;
        if (decaysByConvention(n)) expect(x).toBeCloseTo(w * (1 - 0.1 * 0.01), 6);
        else expect(x).toBe(w);
      });
    }
    opt.dispose();
    tf.dispose([...vars.values()]);
  });

  it('a run saved with moments() and resumed with restore() continues bit for bit', () => {
    const a = makeVars(3);
    const b = makeVars(3);
    const nameOf = (v: tf.Variable): string => v.name.split('#')[0] ?? v.name;
    const optA = adamW(a, lrAt);
    const step = (opt: Adam, vars: ReadonlyMap<string, tf.Variable>, s: number): void => {
      const g = gradsAt(s, vars);
      opt.applyGradients([...vars.values()], g);
      tf.dispose(Object.values(g));
    };
    for (let s = 0; s < 3; s++) step(optA, a, s);
    const saved = optA.moments(nameOf);
    expect(Object.keys(saved).sort()).toEqual(NAMES.flatMap((n) => [`m:${n}`, `v:${n}`]).sort());
    for (const [n, v] of a) b.get(n)?.assign(v);
    const optB = adamW(b, lrAt);
    optB.restore(saved, optA.iterations, (n) => b.get(n));
    tf.dispose(Object.values(saved));
    for (let s = 3; s < 6; s++) {
      step(optA, a, s);
      step(optB, b, s);
    }
    for (const n of NAMES) {
      expect(Array.from(b.get(n)?.dataSync() ?? []), n).toEqual(
        Array.from(a.get(n)?.dataSync() ?? []),
      );
    }
    optA.dispose();
    optB.dispose();
    tf.dispose([...a.values(), ...b.values()]);
  });
});
