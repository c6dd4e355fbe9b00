/**
 * Row lookup (`table[ids]`) with a gradient that works on every backend.
 *
 * TF.js's gradient of `tf.gather` needs the `UnsortedSegmentSum` kernel, which the WASM backend does
 * not have (`tf.getKernel('UnsortedSegmentSum', 'wasm')` is undefined in TF.js 4.22), so training an
 * embedding fails there. The backward pass here is a scatter-add with `tf.scatterND`, whose kernel
 * exists on cpu, wasm, webgl and webgpu and sums duplicate indices (as TensorFlow's `scatter_nd`
 * does); the test suite checks both facts.
 *
 * Frozen inputs: the gradient of a `tf.Variable` with `trainable === false` is reported as zeros
 * (frozen means nobody trains it; ask for it only with `trainable = true`). `tf.customGrad`
 * computes every input's gradient eagerly, so without this a LoRA step scattered every
 * batch into the frozen `[V, H]` word-embedding table.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from './module.ts';

const gatherRowsImpl = tf.customGrad((table, ids, save) => {
  const tt = table as tf.Tensor2D;
  const it = ids as tf.Tensor;
  (save as tf.GradSaveFunc)([it]);
  const rows = tt.shape[0];
  const width = tt.shape[1];
  const value = tf.gather(tt, it.reshape([-1])).reshape([...it.shape, width]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [is] = saved as [tf.Tensor];
      const n = is.size;
      // The gradient of a frozen variable (trainable === false) is reported as zeros: frozen
      // means nobody trains it (LoRA leaves the embeddings alone); ask for it only with
      // trainable = true.
      const dTable =
        tt instanceof tf.Variable && !tt.trainable
          ? tf.zeros([rows, width])
          : tf.scatterND(is.reshape([n, 1]), dy.reshape([n, width]), [rows, width]);
      return [dTable, tf.zeros(is.shape)];
    },
  };
});

/**
 * `table[ids]`: rows of `table: [V, H]` picked by int32 `ids` of any shape, giving
 * `[...ids.shape, H]`. The gradient with respect to `table` is a scatter-add of `dy` into `[V, H]`
 * (rows picked twice get both contributions); `ids` gets none.
 */
export function gatherRows(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return gatherRowsImpl(table, ids);
}

/** Alias of {@link gatherRows} under the usual name: looks token ids up in an embedding table. */
export const embeddingLookup = gatherRows;

/**
 * A named embedding table `W: [rows, width]` (e.g. `roberta.embeddings.word_embeddings`) looked up
 * by token id. For LoRA it is the linear layer of a one-hot input — `onehot(ids)·W`, with
 * `inFeatures` = rows and `outFeatures` = width — so an adapter's ΔW = A·B has the table's shape
 * and merges into it the same way; only the forward pass differs (a row lookup, never a product
 * with a one-hot matrix). PEFT adapts `nn.Embedding` the same way (`lora_embedding_A/B`).
 */
export class Embedding extends Linear {
  override readonly kind = 'embedding';

  /** @param weight `[rows, width]` variable (owned by the model). */
  constructor(name: string, weight: tf.Variable) {
    super(name, weight, null);
  }

  /** The table's rows for int32 `ids` of any shape: `[...ids.shape, width]`. */
  override baseForward(ids: tf.Tensor): tf.Tensor {
    return gatherRows(this.weight, ids);
  }
}
