/**
 * Sentence features from a frozen encoder, for the evaluation's "frozen encoder + head" arms.
 *
 * Two read-outs, both a masked mean over the sentence's tokens:
 * - `last`: the last layer's vectors;
 * - `all-layers`: the average of every hidden state — the embedding output and each layer's
 *   output — the feature-based use of a pretrained encoder in Devlin et al. 2019 §5.3 (which
 *   combined several layers rather than taking the last). With MLM logits only at masked positions,
 *   the last layer at unmasked positions gets no direct training signal, while the lower layers
 *   (and the word embeddings) carry lexical information a linear-ish head can read.
 *
 * The hidden state after layer k is computed by an encoder truncated to its first k layers that
 * shares the full encoder's weights (the core's `Encoder.encode` returns only the last layer); the
 * embedding output is LayerNorm(word + position + type embeddings), as `Encoder.encode` computes it.
 */
import * as tf from '@tensorflow/tfjs';
import { Encoder } from '../../src/core/models/encoder.ts';
import { layerNorm } from '../../src/core/nn/layer-norm.ts';

/** How a frozen encoder's states become one vector per sentence. */
export type Readout = 'last' | 'all-layers';

/** The read-outs, for flag checking. */
export const READOUTS: readonly Readout[] = ['last', 'all-layers'];

/** Every hidden state of a frozen encoder: embedding output, then each layer's output. */
export class LayerTaps {
  private readonly truncated: Encoder[] = [];

  /** `enc` must outlive this object; its weights are copied into truncated encoders now. */
  constructor(private readonly enc: Encoder) {
    const L = enc.config.numHiddenLayers;
    const w = enc.getWeights();
    for (let k = 1; k < L; k++) {
      const t = new Encoder({ ...enc.config, numHiddenLayers: k, numLabels: 0, mlmHead: false });
      t.setWeights(w, { strict: false });
      this.truncated.push(t);
    }
    tf.dispose(Object.values(w));
  }

  /** `[embeddings, layer 1, …, layer L]`, each `[B, T, H]` (no dropout). Caller disposes. */
  states(ids: tf.Tensor, mask: tf.Tensor): tf.Tensor[] {
    const c = this.enc.config;
    const [, T] = ids.shape as [number, number];
    const emb = tf.tidy(() => {
      const tok = tf.gather(this.enc.param('roberta.embeddings.word_embeddings.weight'), ids);
      const pos = tf.slice(
        this.enc.param('roberta.embeddings.position_embeddings.weight'),
        [c.padTokenId + 1, 0],
        [T, c.hiddenSize],
      );
      const typ = tf.slice(
        this.enc.param('roberta.embeddings.token_type_embeddings.weight'),
        [0, 0],
        [1, c.hiddenSize],
      );
      return layerNorm(
        tf.add(tf.add(tok, pos), typ),
        this.enc.param('roberta.embeddings.LayerNorm.weight'),
        this.enc.param('roberta.embeddings.LayerNorm.bias'),
        c.layerNormEps,
      );
    });
    return [emb, ...this.truncated.map((t) => t.encode(ids, mask)), this.enc.encode(ids, mask)];
  }

  /** Frees the truncated encoders (not `enc`). */
  dispose(): void {
    for (const t of this.truncated) t.dispose();
  }
}

/** One vector per sentence, `[B, H]`: the masked token mean of the chosen states. */
export function sentenceFeatures(
  taps: LayerTaps,
  readout: Readout,
  ids: tf.Tensor,
  mask: tf.Tensor,
): tf.Tensor2D {
  return tf.tidy(() => {
    const states = taps.states(ids, mask);
    const last = states[states.length - 1];
    if (last === undefined) throw new Error('LayerTaps: no hidden states');
    const h = readout === 'last' ? last : tf.div(tf.addN(states), states.length);
    const m = tf.expandDims(tf.cast(mask, 'float32'), 2); // [B, T, 1]
    return tf.div<tf.Tensor2D>(tf.sum(tf.mul(h, m), 1), tf.sum(m, 1)); // [B, H]
  });
}
