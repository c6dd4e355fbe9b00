/**
 * The training-memory calculator against published figures. Each test says what the formula can
 * reproduce honestly: parameter counts exactly from a shape, memory totals where the paper states
 * the precision, and only order and ratio where it does not.
 */
import { describe, expect, it } from 'vitest';
import {
  activationBytes,
  countParams,
  GPT3_175B,
  LLAMA2_13B,
  LLAMA2_70B,
  LLAMA2_7B,
  LLAMA_65B,
  loraParams,
  MemoryModelError,
  nf4BitsPerParam,
  trainingMemory,
  type DecoderShape,
} from '../../../src/core/memory/index.ts';
import { quantize, quantizedBytes } from '../../../src/core/quant/index.ts';
import { Rng } from '../../../src/core/rng.ts';

const GB = 1e9;
const ALL_LINEAR = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const STEP = { sequenceLength: 512, batchSize: 1 } as const;

describe('parameter counts from the shape', () => {
  it('Llama-2-7B has 6.74 B parameters (Hugging Face model card; Touvron et al. 2023)', () => {
    const c = countParams(LLAMA2_7B);
    // 2·V·h (embedding and head) + 32·(4h² + 3·h·I) + 65·h (RMSNorm scales).
    expect(c.total).toBe(2 * 32000 * 4096 + 32 * (4 * 4096 ** 2 + 3 * 4096 * 11008) + 65 * 4096);
    expect(c.total / 1e9).toBeCloseTo(6.74, 2);
  });

  it('LLaMA-65B 65.2 B and Llama-2-13B 13.0 B (LLaMA paper Table 2; Llama 2 paper Table 1)', () => {
    expect(Math.abs(countParams(LLAMA_65B).total / 65.2e9 - 1)).toBeLessThan(0.002);
    expect(Math.abs(countParams(LLAMA2_13B).total / 13.0e9 - 1)).toBeLessThan(0.002);
    // Llama-2-70B is 69.0 B with grouped-query attention (8 KV heads of 128); full-width k_proj
    // and v_proj would add 80 · 2 · 8192 · (8192 − 1024) weights.
    expect(countParams(LLAMA2_70B).total / 1e9).toBeCloseTo(68.98, 2);
    expect(countParams({ ...LLAMA2_70B, kvHeads: 64 }).total - countParams(LLAMA2_70B).total).toBe(
      80 * 2 * 8192 * (8192 - 1024),
    );
  });

  it('GPT-3 is within 0.3 % of 175 B (Brown et al. 2020, Table 2.1)', () => {
    expect(Math.abs(countParams(GPT3_175B).total / 175e9 - 1)).toBeLessThan(0.003);
  });

  it('LoRA parameters are Σ r·(dIn + dOut) over targets and blocks', () => {
    expect(loraParams(GPT3_175B, 4, ['q_proj', 'v_proj'])).toBe(96 * 2 * 4 * (12288 + 12288));
    // Grouped-query attention narrows k_proj and v_proj to 8 heads · 128 = 1024 outputs.
    expect(loraParams(LLAMA2_70B, 1, ['v_proj'])).toBe(80 * (8192 + 1024));
  });
});

describe('LoRA paper: GPT-3 175B, 1.2 TB full → 350 GB with LoRA r = 4 on Wq, Wv (Hu et al. 2021, §4.2)', () => {
  const lora = trainingMemory(GPT3_175B, {
    method: 'lora',
    lora: { r: 4, targets: ['q_proj', 'v_proj'] },
    ...STEP,
    activations: 'none',
  });

  it('LoRA: the 16-bit frozen weights alone, within 0.5 % of 350 GB', () => {
    // 350 GB = 175 B × 2 bytes; the adapters and their Adam states add 0.2 GB.
    expect(Math.abs(lora.total / (350 * GB) - 1)).toBeLessThan(0.005);
    expect(lora.trainableParams).toBe(18_874_368);
  });

  it('full: the paper does not state precision or sharding, so only order and ratio are tested', () => {
    const opts = { method: 'full', ...STEP, activations: 'none' } as const;
    const weightsAndGrads = trainingMemory(GPT3_175B, { ...opts, optimizerBytes: 0 }).total;
    const adam16 = trainingMemory(GPT3_175B, { ...opts, optimizerBytes: 4 }).total;
    // 1.2 TB lies between 16-bit weights + gradients (0.70 TB) and those plus 16-bit Adam (1.40 TB) …
    expect(weightsAndGrads).toBeLessThan(1.2e12);
    expect(adam16).toBeGreaterThan(1.2e12);
    // … and the paper's ratio 1200 / 350 = 3.4 between our ratios 2.0 and 4.0.
    expect(weightsAndGrads / lora.total).toBeLessThan(1200 / 350);
    expect(adam16 / lora.total).toBeGreaterThan(1200 / 350);
  });
});

describe('QLoRA paper: a 65B model (Dettmers et al. 2023)', () => {
  it('full 16-bit fine-tuning with fp32 Adam needs > 780 GB (abstract: "from >780GB")', () => {
    const full = trainingMemory(LLAMA_65B, { method: 'full', ...STEP, activations: 'none' });
    // 2 (weights) + 2 (gradients) + 8 (Adam m, v in fp32) = 12 bytes × 65.3 B.
    expect(full.total).toBeGreaterThan(780 * GB);
    expect(full.total / (780 * GB)).toBeLessThan(1.01);
  });

  it('QLoRA fits one 48 GB GPU; 16-bit LoRA on the same base does not', () => {
    const opts = {
      lora: { r: 64, targets: ALL_LINEAR }, // the paper's setting: r = 64 on every linear layer
      ...STEP,
      activations: 'checkpointed', // the paper trains with gradient checkpointing
    } as const;
    const q = trainingMemory(LLAMA_65B, { method: 'qlora', ...opts });
    const l = trainingMemory(LLAMA_65B, { method: 'lora', ...opts });
    expect(q.total).toBeLessThan(48 * GB);
    expect(q.weights).toBeGreaterThan(33 * GB); // 64.8 B linear weights at 4.127 bits, the rest 16-bit
    expect(l.total).toBeGreaterThan(48 * GB * 2.5);
  });

  it('double quantisation saves about 3 GB on a 65B model (§3: 0.373 bits per parameter)', () => {
    const opts = {
      method: 'qlora',
      lora: { r: 1, targets: ['q_proj'] },
      ...STEP,
      activations: 'none',
    } as const;
    const without = trainingMemory(LLAMA_65B, { ...opts, quant: { doubleQuant: false } });
    const withDq = trainingMemory(LLAMA_65B, { ...opts, quant: { doubleQuant: true } });
    const saved = (without.weights - withDq.weights) / GB;
    expect(saved).toBeGreaterThan(2.9);
    expect(saved).toBeLessThan(3.1);
    expect(nf4BitsPerParam(64, false) - nf4BitsPerParam(64, true)).toBeCloseTo(0.373, 3);
  });

  it('the closed form agrees with the bytes a real NF4 quantisation holds', () => {
    const n = 64 * 256 * 2;
    const x = new Rng(3).normalArray(n, 0.02);
    for (const doubleQuant of [false, true]) {
      const bytes = quantizedBytes(quantize(x, { kind: 'nf4', doubleQuant })).total;
      const mean = doubleQuant ? 4 : 0; // the one fp32 mean the closed form leaves out
      expect(bytes - mean).toBe((n * nf4BitsPerParam(64, doubleQuant)) / 8);
    }
  });
});

describe('activations', () => {
  it('a plain 4h MLP reproduces Korthikanti et al. 2022: s·b·h·(34 + 5·a·s/h) per block', () => {
    const shape: DecoderShape = { ...GPT3_175B, layers: 2 };
    const [s, b, h, a] = [2048, 3, 12288, 96];
    const perBlock = s * b * h * (34 + (5 * a * s) / h);
    expect(activationBytes(shape, s, b, 'full')).toBe(2 * perBlock + 4 * s * b * 50257);
  });

  it('checkpointing keeps far less, and activations grow linearly in batch', () => {
    const full = activationBytes(LLAMA2_7B, 1024, 1, 'full');
    const ckpt = activationBytes(LLAMA2_7B, 1024, 1, 'checkpointed');
    expect(ckpt).toBeLessThan(full / 5);
    expect(activationBytes(LLAMA2_7B, 1024, 4, 'full')).toBe(4 * full);
    expect(activationBytes(LLAMA2_7B, 1024, 4, 'none')).toBe(0);
  });
});

describe('errors name the field and value', () => {
  it('bad shapes and options', () => {
    expect(() => countParams({ ...LLAMA2_7B, layers: 0 })).toThrow(MemoryModelError);
    expect(() => countParams({ ...LLAMA2_7B, heads: 3 })).toThrow(
      /heads = 3: must divide hidden = 4096/,
    );
    expect(() => countParams({ ...LLAMA2_70B, kvHeads: 7 })).toThrow(/kvHeads = 7/);
    expect(() =>
      trainingMemory(LLAMA2_7B, { method: 'lora', ...STEP, activations: 'none' }),
    ).toThrow(/lora = undefined: required for lora/);
    expect(() =>
      trainingMemory(LLAMA2_7B, {
        method: 'lora',
        lora: { r: 8, targets: ['query'] },
        ...STEP,
        activations: 'none',
      }),
    ).toThrow(/lora.targets = "query": not a linear layer/);
    expect(() =>
      trainingMemory(LLAMA2_7B, {
        method: 'full',
        sequenceLength: 0,
        batchSize: 1,
        activations: 'none',
      }),
    ).toThrow(/sequenceLength = 0/);
    expect(() =>
      trainingMemory(LLAMA2_7B, {
        method: 'full',
        weightBytes: Number.NaN,
        ...STEP,
        activations: 'none',
      }),
    ).toThrow(/weightBytes = NaN/);
  });
});
