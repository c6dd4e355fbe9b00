/**
 * Bundled by `test/core/browser-backends.test.ts` and run in Chromium: the core's hand-written
 * gradients against TF.js's own (`tf.grads` of the naive form) and a short LoRA and MLM training
 * run, on every browser backend that initialises. Results are left in `globalThis.__coreNumerics`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { bmm, linear, linearTied } from '../../../src/core/nn/linear.ts';
import { gatherRows } from '../../../src/core/nn/embedding.ts';
import { layerNorm } from '../../../src/core/nn/layer-norm.ts';
import { softmaxCrossEntropy } from '../../../src/core/nn/loss.ts';
import { Rng, randn } from '../../../src/core/rng.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { Adam } from '../../../src/core/train/adam.ts';

/** What one backend reports. */
export interface BackendNumerics {
  backend: string;
  available: boolean;
  /** Max |custom − reference| per check. */
  diffs: Record<string, number>;
  loraLosses: number[];
  mlmLosses: number[];
  error?: string;
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0] ?? Number.NaN;
  d.dispose();
  return v;
}

async function gradDiff(
  custom: (...xs: tf.Tensor[]) => tf.Tensor,
  naive: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
): Promise<number> {
  const g1 = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.square(custom(...xs))))(inputs);
  const g2 = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.square(naive(...xs))))(inputs);
  let worst = 0;
  for (let i = 0; i < g1.length; i++) {
    const a = g1[i];
    const b = g2[i];
    if (a && b) worst = Math.max(worst, await maxDiff(a, b));
  }
  tf.dispose([...g1, ...g2]);
  return worst;
}

async function check(backend: string, steps: number): Promise<BackendNumerics> {
  const res: BackendNumerics = {
    backend,
    available: false,
    diffs: {},
    loraLosses: [],
    mlmLosses: [],
  };
  try {
    if (!(await tf.setBackend(backend))) return res;
    await tf.ready();
  } catch {
    return res;
  }
  res.available = true;
  try {
    const r = new Rng(1);
    const x = randn(r, [2, 3, 5]);
    const w = randn(r, [5, 4]);
    const b = randn(r, [4]);
    res.diffs.linear = await gradDiff(
      (p, q, s) => linear(p, q, s),
      (p, q, s) => tf.add(tf.matMul(p.reshape([-1, 5]), q as tf.Tensor2D), s).reshape([2, 3, 4]),
      [x, w, b],
    );
    const a4 = randn(r, [2, 3, 4, 5]);
    const c4 = randn(r, [2, 3, 5, 6]);
    res.diffs.bmm = await gradDiff(
      (p, q) => bmm(p, q),
      (p, q) => tf.matMul(p, q),
      [a4, c4],
    );
    const e = randn(r, [11, 5]);
    const xt = randn(r, [7, 5]);
    const bt = randn(r, [11]);
    res.diffs.linearTied = await gradDiff(
      (p, q, s) => linearTied(p, q, s),
      (p, q, s) => tf.add(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, false, true), s),
      [xt, e, bt],
    );
    const ln = randn(r, [3, 8], 2);
    const gm = randn(r, [8]);
    const bb = randn(r, [8]);
    res.diffs.layerNorm = await gradDiff(
      (p, q, s) => layerNorm(p, q, s),
      (p, q, s) => {
        const m = tf.mean(p, -1, true);
        const v = tf.mean(tf.square(tf.sub(p, m)), -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(p, m), tf.sqrt(tf.add(v, 1e-5))), q), s);
      },
      [ln, gm, bb],
    );
    // gatherRows: the gradient is a scatter-add with repeated ids (hand-derived reference).
    const table = randn(r, [6, 3]);
    const ids = tf.tensor2d(
      [
        [0, 2, 2],
        [5, 0, 2],
      ],
      [2, 3],
      'int32',
    );
    const dy = randn(r, [2, 3, 3]);
    const [gt] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, ids), dy)))([table]);
    const dyv = (await dy.array()) as number[][][];
    const expected = Array.from({ length: 6 }, () => [0, 0, 0]);
    [
      [0, 2, 2],
      [5, 0, 2],
    ].forEach((row, i) => {
      row.forEach((id, j) => {
        const target = expected[id];
        const src = dyv[i]?.[j];
        if (target && src) for (let k = 0; k < 3; k++) target[k] = (target[k] ?? 0) + (src[k] ?? 0);
      });
    });
    const ref = tf.tensor2d(expected);
    if (gt) res.diffs.scatterAdd = await maxDiff(gt, ref);
    const z = randn(r, [5, 7], 3);
    const y = tf.tensor1d([0, 6, 3, 3, 1], 'int32');
    const [gz] = tf.grads((zz: tf.Tensor) => softmaxCrossEntropy(zz, y))([z]);
    const gref = tf.tidy(() =>
      tf.div(tf.sub(tf.softmax(z), tf.cast(tf.oneHot(y, 7), 'float32')), 5),
    );
    if (gz) res.diffs.crossEntropy = await maxDiff(gz, gref);
    tf.dispose([
      x,
      w,
      b,
      a4,
      c4,
      e,
      xt,
      bt,
      ln,
      gm,
      bb,
      table,
      ids,
      dy,
      ref,
      z,
      y,
      gref,
      ...(gt ? [gt] : []),
      ...(gz ? [gz] : []),
    ]);

    // A short LoRA fine-tuning run (classifier + query/value adapters) and an MLM run.
    const cfg = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });
    const peft = getPeftModel(new Encoder(cfg, { seed: 11 }), {
      r: 4,
      loraAlpha: 8,
      targetModules: ['query', 'value'],
      modulesToSave: ['classifier'],
    });
    const rr = new Rng(12);
    const bIds = tf.tensor2d(
      Array.from({ length: 48 }, () => 4 + rr.int(46)),
      [8, 6],
      'int32',
    );
    const mask = tf.ones([8, 6], 'int32');
    const labels = tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1], 'int32');
    const opt = new Adam({ learningRate: 1e-2 });
    for (let s = 0; s < steps; s++) {
      const l = opt.step(
        () => softmaxCrossEntropy(peft.model.classify(bIds, mask), labels),
        peft.trainableVariables(),
      );
      res.loraLosses.push((await l.data())[0] ?? Number.NaN);
      l.dispose();
    }
    opt.dispose();
    peft.dispose();
    const enc = new Encoder(encoderConfig('micro'), { seed: 3 });
    const pos = tf.tensor1d([1, 7, 13, 20], 'int32');
    const lab = tf.tensor1d([5, 6, 7, 8], 'int32');
    const opt2 = new Adam({ learningRate: 1e-2 });
    const vars = enc.namedParameters().map((p) => p.variable);
    const rng = new Rng(4);
    for (let s = 0; s < steps; s++) {
      const l = opt2.step(() => enc.mlmLoss(bIds, mask, pos, lab, { training: true, rng }), vars);
      res.mlmLosses.push((await l.data())[0] ?? Number.NaN);
      l.dispose();
    }
    opt2.dispose();
    enc.dispose();
    tf.dispose([bIds, mask, labels, pos, lab]);
  } catch (err) {
    res.error = String(err);
  }
  return res;
}

/** Runs every backend in turn. */
async function runAll(): Promise<BackendNumerics[]> {
  const steps = Number(new URLSearchParams(globalThis.location.search).get('steps') ?? '10');
  const out: BackendNumerics[] = [];
  for (const b of ['cpu', 'webgl', 'webgpu']) out.push(await check(b, steps));
  return out;
}

(globalThis as unknown as { __coreNumerics: Promise<BackendNumerics[]> }).__coreNumerics = runAll();
