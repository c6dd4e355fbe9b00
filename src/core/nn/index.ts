/** Neural-network building blocks with gradients that are fast on every TF.js backend. */
export { linear, linearTied, bmm, transposeLast2, columnSum } from './linear.ts';
export { gatherRows, embeddingLookup, Embedding } from './embedding.ts';
export { layerNorm } from './layer-norm.ts';
export { gelu, geluExact, dropout } from './activations.ts';
export { softmaxCrossEntropy } from './loss.ts';
export { Linear, ShapeError, type ForwardContext, type LinearHook } from './module.ts';
