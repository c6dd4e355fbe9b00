/**
 * Pretraining's steps through the core's training loop (scripts/lib/mlm-train.ts) give the
 * numbers of the hand-written loop scripts/pretrain.ts had before (issue 17), bit for bit: the
 * same losses and the same weights, on a micro encoder with AdamW and a schedule as pretraining
 * uses them; and a run resumed from its weights and optimiser moments continues exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeMlmBatch, type MlmBatch } from '../../../src/core/data/mlm.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Rng } from '../../../src/core/rng.ts';
import { Adam, decaysByConvention } from '../../../src/core/train/adam.ts';
import { mlmTraining } from '../../../scripts/lib/mlm-train.ts';
import { checkNoLeaks, expectBitIdentical, useBackend } from '../../core/helpers.ts';

checkNoLeaks();
beforeAll(() => useBackend('cpu'));

const config = encoderConfig('micro', { numLabels: 0, mlmHead: true });
const SEQ = 10;

/** The batch of `step`: a pure function of the step, as pretraining's `trainBatch` is. */
function batchAt(step: number): MlmBatch {
  const r = new Rng(3).fork('batch').fork(step);
  const segments = Array.from({ length: 4 }, () =>
    Int32Array.from({ length: 3 + r.int(SEQ - 4) }, () => 5 + r.int(config.vocabSize - 5)),
  );
  return makeMlmBatch(segments, { maxLen: SEQ, vocabSize: config.vocabSize, rand: () => r.next() });
}

/** AdamW as pretraining sets it up: RoBERTa's betas and epsilon, decay on dense weights only. */
function setUp(): { enc: Encoder; opt: Adam; vars: tf.Variable[] } {
  const enc = new Encoder(config, { seed: 0 });
  const params = enc.namedParameters();
  const opt = new Adam({
    learningRate: (t) => 1e-2 * Math.min(1, (t + 1) / 3),
    beta2: 0.98,
    epsilon: 1e-6,
    weightDecay: 0.01,
    noDecay: new Set(params.filter((p) => !decaysByConvention(p.name)).map((p) => p.variable)),
  });
  return { enc, opt, vars: params.map((p) => p.variable) };
}

/** The loop scripts/pretrain.ts wrote by hand before it used the core's (its code, kept here). */
async function handLoop(enc: Encoder, opt: Adam, vars: tf.Variable[], steps: number) {
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const b = batchAt(step);
    const ids = tf.tensor2d(b.inputIds, [b.batch, b.maxLen], 'int32');
    const mask = tf.tensor2d(b.attentionMask, [b.batch, b.maxLen], 'int32');
    const pos = tf.tensor1d(b.maskedPositions, 'int32');
    const labels = tf.tensor1d(b.maskedLabels, 'int32');
    const { value, grads } = tf.variableGrads(
      () => enc.mlmLoss(ids, mask, pos, labels, { training: false }),
      vars,
    );
    opt.applyGradients(vars, grads);
    losses.push((await value.data())[0] ?? NaN);
    tf.dispose([value, ...Object.values(grads), ids, mask, pos, labels]);
  }
  return losses;
}

async function coreLoop(enc: Encoder, opt: Adam, vars: tf.Variable[], from: number, steps: number) {
  const out: { step: number; loss: number; learningRate: number }[] = [];
  for await (const s of mlmTraining({
    encoder: enc,
    optimizer: opt,
    variables: vars,
    batchAt,
    fromStep: from,
    steps,
  }))
    out.push({ step: s.step, loss: s.loss, learningRate: s.learningRate });
  return out;
}

describe('pretraining through the core loop', () => {
  it('gives the hand-written loop’s losses and weights, bit for bit', async () => {
    const a = setUp();
    const b = setUp();
    const before = await handLoop(a.enc, a.opt, a.vars, 5);
    const after = await coreLoop(b.enc, b.opt, b.vars, 0, 5);
    expect(after.map((s) => s.loss)).toEqual(before);
    expect(after.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(after.map((s) => s.learningRate)).toEqual(
      [0, 1, 2, 3, 4].map((t) => 1e-2 * Math.min(1, (t + 1) / 3)),
    );
    a.vars.forEach((v, i) => {
      expectBitIdentical(v, b.vars[i] ?? v);
    });
    for (const x of [a, b]) {
      x.opt.dispose();
      x.enc.dispose();
    }
  });

  it('resumed from weights and moments at step 3, continues as an unbroken run', async () => {
    const whole = setUp();
    const full = await coreLoop(whole.enc, whole.opt, whole.vars, 0, 5);
    const first = setUp();
    await coreLoop(first.enc, first.opt, first.vars, 0, 3);
    const names = new Map(first.enc.namedParameters().map((p) => [p.variable.name, p.name]));
    const weights = first.enc.getWeights();
    const moments = first.opt.moments((v) => names.get(v.name) ?? v.name);
    const resumed = setUp();
    resumed.enc.setWeights(weights);
    const byName = new Map(resumed.enc.namedParameters().map((p) => [p.name, p.variable]));
    resumed.opt.restore(moments, 3, (n) => byName.get(n));
    const rest = await coreLoop(resumed.enc, resumed.opt, resumed.vars, 3, 2);
    expect(rest).toEqual(full.slice(3));
    tf.dispose([...Object.values(weights), ...Object.values(moments)]);
    for (const x of [whole, first, resumed]) {
      x.opt.dispose();
      x.enc.dispose();
    }
  });
});
