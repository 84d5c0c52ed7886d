/**
 * The names of all ops, as a literal union. Kept apart from the registry so that `Node` can name
 * its op without depending on the op definitions; the registry must have an entry for each.
 * @module
 */

/**
 * Every op name, in registry order.
 * @example
 * ```ts
 * OP_NAMES.includes('softmaxCrossEntropyWithLogits'); // true
 * ```
 */
export const OP_NAMES = [
  'input',
  'param',
  'constant',
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'square',
  'tanh',
  'sigmoid',
  'relu',
  'softplus',
  'logSigmoid',
  'log1mexp',
  'logaddexp',
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'where',
  'clip',
  'cast',
  'sum',
  'mean',
  'max',
  'min',
  'logsumexp',
  'matmul',
  'transpose',
  'reshape',
  'broadcastTo',
  'concat',
  'expandDims',
  'squeeze',
  'sumTo',
  'broadcastLike',
  'softmax',
  'logSoftmax',
  'oneHot',
  'gather',
  'gatherGrad',
  'reshapeLike',
  'slice',
  'sliceGrad',
  'sigmoidCrossEntropyWithLogits',
  'softmaxCrossEntropyWithLogits',
  'sparseSoftmaxCrossEntropyWithLogits',
  'sigmoidCrossEntropyGrad',
  'softmaxCrossEntropyGrad',
  'sparseSoftmaxCrossEntropyGrad',
  'weightedSigmoidCrossEntropyWithLogits',
  'weightedSigmoidCrossEntropyGrad',
  'rsqrt',
  'variance',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'maxPool2d',
  'maxPool2dGrad',
  'maxPool2dGradGrad',
  'avgPool2d',
  'avgPool2dGrad',
] as const;

/**
 * Name of a registered op.
 * @example
 * ```ts
 * const name: OpName = 'softmaxCrossEntropyWithLogits';
 * registry[name].arity; // 2
 * ```
 */
export type OpName = (typeof OP_NAMES)[number];
