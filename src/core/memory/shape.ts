/**
 * The shape of a decoder-only language model and its parameter count, by part, from that shape
 * alone. Two families are covered: Llama-style (RMSNorm, no biases, a gated SwiGLU MLP with three
 * matrices, rotary positions so no position table, grouped-query attention through `kvHeads`) and
 * GPT-style (LayerNorm with biases, a plain two-matrix MLP, learned positions).
 */
import { MemoryModelError } from './errors.ts';

/** A decoder LLM's shape (Hugging Face `config.json` names in the comments). */
export interface DecoderShape {
  /** Transformer blocks (`num_hidden_layers`). */
  readonly layers: number;
  /** Model width h (`hidden_size`). */
  readonly hidden: number;
  /** MLP width (`intermediate_size`). */
  readonly intermediate: number;
  /** Vocabulary size (`vocab_size`). */
  readonly vocab: number;
  /** Attention heads (`num_attention_heads`). */
  readonly heads: number;
  /** Key/value heads (`num_key_value_heads`; equal to `heads` without grouped-query attention). */
  readonly kvHeads?: number;
  /** `'gated'`: gate, up and down projections (Llama); `'plain'`: up and down (GPT). */
  readonly mlp: 'gated' | 'plain';
  /** Linear layers and norms carry biases (GPT) or not (Llama). */
  readonly bias: boolean;
  /** Output head shares the embedding table (no separate `lm_head`). */
  readonly tiedEmbeddings: boolean;
  /** Rows of a learned position table (0 for rotary positions). */
  readonly positions: number;
}

/** One linear layer of a block, by its Hugging Face (Llama) name. */
export interface BlockLinear {
  /** `q_proj`, `k_proj`, `v_proj`, `o_proj`, `gate_proj`, `up_proj`, `down_proj`. */
  readonly name: string;
  readonly dIn: number;
  readonly dOut: number;
}

/** Parameter count by part. */
export interface ParamCount {
  /** Token (and position) embeddings. */
  readonly embedding: number;
  /** The linear layers of all blocks (weights and biases): what LoRA targets and QLoRA quantises. */
  readonly blockLinear: number;
  /** Norm scales (and shifts) of all blocks and the final norm. */
  readonly norms: number;
  /** The output head (0 when tied). */
  readonly head: number;
  /** The sum. */
  readonly total: number;
}

function positiveInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new MemoryModelError(field, v, 'must be an integer ≥ 1');
}

/** Checks every field of a shape. @throws {MemoryModelError} naming the first bad field. */
export function checkDecoderShape(s: DecoderShape): void {
  positiveInt('layers', s.layers);
  positiveInt('hidden', s.hidden);
  positiveInt('intermediate', s.intermediate);
  positiveInt('vocab', s.vocab);
  positiveInt('heads', s.heads);
  if (s.hidden % s.heads !== 0) {
    throw new MemoryModelError('heads', s.heads, `must divide hidden = ${s.hidden}`);
  }
  const kv = s.kvHeads ?? s.heads;
  positiveInt('kvHeads', kv);
  if (s.heads % kv !== 0)
    throw new MemoryModelError('kvHeads', kv, `must divide heads = ${s.heads}`);
  if (!Number.isInteger(s.positions) || s.positions < 0) {
    throw new MemoryModelError('positions', s.positions, 'must be an integer ≥ 0');
  }
}

/** The linear layers of one block with their widths (weights `[dIn, dOut]`). */
export function blockLinears(s: DecoderShape): BlockLinear[] {
  checkDecoderShape(s);
  const h = s.hidden;
  const kvWidth = (s.kvHeads ?? s.heads) * (h / s.heads);
  const attention = [
    { name: 'q_proj', dIn: h, dOut: h },
    { name: 'k_proj', dIn: h, dOut: kvWidth },
    { name: 'v_proj', dIn: h, dOut: kvWidth },
    { name: 'o_proj', dIn: h, dOut: h },
  ];
  const mlp =
    s.mlp === 'gated'
      ? [
          { name: 'gate_proj', dIn: h, dOut: s.intermediate },
          { name: 'up_proj', dIn: h, dOut: s.intermediate },
          { name: 'down_proj', dIn: s.intermediate, dOut: h },
        ]
      : [
          { name: 'up_proj', dIn: h, dOut: s.intermediate },
          { name: 'down_proj', dIn: s.intermediate, dOut: h },
        ];
  return [...attention, ...mlp];
}

/** Parameters of a decoder, by part, from its shape. */
export function countParams(s: DecoderShape): ParamCount {
  const linears = blockLinears(s);
  const perBlock = linears.reduce((n, l) => n + l.dIn * l.dOut + (s.bias ? l.dOut : 0), 0);
  const normSize = s.bias ? 2 * s.hidden : s.hidden; // scale (and shift)
  const embedding = (s.vocab + s.positions) * s.hidden;
  const blockLinear = s.layers * perBlock;
  const norms = (2 * s.layers + 1) * normSize;
  const head = s.tiedEmbeddings ? 0 : s.vocab * s.hidden;
  return { embedding, blockLinear, norms, head, total: embedding + blockLinear + norms + head };
}

/**
 * Llama-2-7B (`meta-llama/Llama-2-7b-hf` config.json): 6.74 B parameters (Touvron et al. 2023,
 * "Llama 2", Table 1 lists it as 7B; the Hugging Face model card as 6.74B).
 */
export const LLAMA2_7B: DecoderShape = {
  layers: 32,
  hidden: 4096,
  intermediate: 11008,
  vocab: 32000,
  heads: 32,
  mlp: 'gated',
  bias: false,
  tiedEmbeddings: false,
  positions: 0,
};

/** Llama-2-13B (`meta-llama/Llama-2-13b-hf` config.json). */
export const LLAMA2_13B: DecoderShape = {
  ...LLAMA2_7B,
  layers: 40,
  hidden: 5120,
  intermediate: 13824,
  heads: 40,
};

/** Llama-2-70B (`meta-llama/Llama-2-70b-hf` config.json; grouped-query attention, 8 KV heads). */
export const LLAMA2_70B: DecoderShape = {
  ...LLAMA2_7B,
  layers: 80,
  hidden: 8192,
  intermediate: 28672,
  heads: 64,
  kvHeads: 8,
};

/** LLaMA-65B (Touvron et al. 2023, "LLaMA", Table 2: 65.2B, dim 8192, 64 heads, 80 layers). */
export const LLAMA_65B: DecoderShape = {
  ...LLAMA2_7B,
  layers: 80,
  hidden: 8192,
  intermediate: 22016,
  heads: 64,
};

/**
 * GPT-3 175B (Brown et al. 2020, Table 2.1: 96 layers, d_model 12288, 96 heads, context 2048;
 * GPT-2's 50257-token vocabulary, learned positions, tied embeddings, 4·d MLP).
 */
export const GPT3_175B: DecoderShape = {
  layers: 96,
  hidden: 12288,
  intermediate: 4 * 12288,
  vocab: 50257,
  heads: 96,
  mlp: 'plain',
  bias: true,
  tiedEmbeddings: true,
  positions: 2048,
};
