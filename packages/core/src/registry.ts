/**
 * The op registry: every op by name. An explicit object (no registration on import), so
 * `OpName` is a literal union and the JSON loader and the test sweeps see every op.
 * @module
 */
import type { OpDef, OpTrait } from './op.js';
import type { OpName } from './op-names.js';
// For its side effect: the VJP rules reached through the registry call chained methods
// (cotangent.mul(...)), so whoever reaches an op definition also has them. No circle: op files do
// not import the registry.
import './chained-methods.js';
import { inputOp } from './ops/input.js';
import { paramOp } from './ops/param.js';
import { constantOp } from './ops/constant.js';
import { negOp } from './ops/neg.js';
import { absOp } from './ops/abs.js';
import { signOp } from './ops/sign.js';
import { expOp } from './ops/exp.js';
import { logOp } from './ops/log.js';
import { log1pOp } from './ops/log1p.js';
import { expm1Op } from './ops/expm1.js';
import { sqrtOp } from './ops/sqrt.js';
import { squareOp } from './ops/square.js';
import { tanhOp } from './ops/tanh.js';
import { sigmoidOp } from './ops/sigmoid.js';
import { reluOp } from './ops/relu.js';
import { softplusOp } from './ops/softplus.js';
import { logSigmoidOp } from './ops/log-sigmoid.js';
import { log1mexpOp } from './ops/log1mexp.js';
import { logaddexpOp } from './ops/logaddexp.js';
import { addOp } from './ops/add.js';
import { subOp } from './ops/sub.js';
import { mulOp } from './ops/mul.js';
import { divOp } from './ops/div.js';
import { powOp } from './ops/pow.js';
import { maximumOp } from './ops/maximum.js';
import { minimumOp } from './ops/minimum.js';
import { equalOp } from './ops/equal.js';
import { notEqualOp } from './ops/not-equal.js';
import { lessOp } from './ops/less.js';
import { lessEqualOp } from './ops/less-equal.js';
import { greaterOp } from './ops/greater.js';
import { greaterEqualOp } from './ops/greater-equal.js';
import { whereOp } from './ops/where.js';
import { clipOp } from './ops/clip.js';
import { castOp } from './ops/cast.js';
import { sumOp } from './ops/sum.js';
import { meanOp } from './ops/mean.js';
import { maxOp } from './ops/max.js';
import { minOp } from './ops/min.js';
import { logsumexpOp } from './ops/logsumexp.js';
import { matmulOp } from './ops/matmul.js';
import { transposeOp } from './ops/transpose.js';
import { reshapeOp } from './ops/reshape.js';
import { broadcastToOp } from './ops/broadcast-to.js';
import { concatOp } from './ops/concat.js';
import { expandDimsOp } from './ops/expand-dims.js';
import { squeezeOp } from './ops/squeeze.js';
import { sumToOp } from './ops/sum-to.js';
import { broadcastLikeOp } from './ops/broadcast-like.js';
import { softmaxOp } from './ops/softmax.js';
import { logSoftmaxOp } from './ops/log-softmax.js';
import { oneHotOp } from './ops/one-hot.js';
import { gatherOp } from './ops/gather.js';
import { gatherGradOp } from './ops/gather-grad.js';
import { reshapeLikeOp } from './ops/reshape-like.js';
import { sliceOp } from './ops/slice.js';
import { sliceGradOp } from './ops/slice-grad.js';
import { sigmoidCrossEntropyWithLogitsOp } from './ops/sigmoid-cross-entropy-with-logits.js';
import { softmaxCrossEntropyWithLogitsOp } from './ops/softmax-cross-entropy-with-logits.js';
import { sparseSoftmaxCrossEntropyWithLogitsOp } from './ops/sparse-softmax-cross-entropy-with-logits.js';
import { sigmoidCrossEntropyGradOp } from './ops/sigmoid-cross-entropy-grad.js';
import { softmaxCrossEntropyGradOp } from './ops/softmax-cross-entropy-grad.js';
import { sparseSoftmaxCrossEntropyGradOp } from './ops/sparse-softmax-cross-entropy-grad.js';
import { weightedSigmoidCrossEntropyWithLogitsOp } from './ops/weighted-sigmoid-cross-entropy-with-logits.js';
import { weightedSigmoidCrossEntropyGradOp } from './ops/weighted-sigmoid-cross-entropy-grad.js';
import { rsqrtOp } from './ops/rsqrt.js';
import { varianceOp } from './ops/variance.js';
import { conv2dOp } from './ops/conv2d.js';
import { conv2dBackpropInputOp } from './ops/conv2d-backprop-input.js';
import { conv2dBackpropFilterOp } from './ops/conv2d-backprop-filter.js';
import { maxPool2dOp } from './ops/max-pool-2d.js';
import { maxPool2dGradOp } from './ops/max-pool-2d-grad.js';
import { maxPool2dGradGradOp } from './ops/max-pool-2d-grad-grad.js';
import { avgPool2dOp } from './ops/avg-pool-2d.js';
import { avgPool2dGradOp } from './ops/avg-pool-2d-grad.js';

/**
 * Every op, keyed by its name.
 * @example
 * ```ts
 * registry.softmax.name;          // 'softmax'
 * registry.matmul.dot({});        // the label pictures show
 * Object.keys(registry).length;   // OP_NAMES.length
 * ```
 */
export const registry = {
  input: inputOp,
  param: paramOp,
  constant: constantOp,
  neg: negOp,
  abs: absOp,
  sign: signOp,
  exp: expOp,
  log: logOp,
  log1p: log1pOp,
  expm1: expm1Op,
  sqrt: sqrtOp,
  square: squareOp,
  tanh: tanhOp,
  sigmoid: sigmoidOp,
  relu: reluOp,
  softplus: softplusOp,
  logSigmoid: logSigmoidOp,
  log1mexp: log1mexpOp,
  logaddexp: logaddexpOp,
  add: addOp,
  sub: subOp,
  mul: mulOp,
  div: divOp,
  pow: powOp,
  maximum: maximumOp,
  minimum: minimumOp,
  equal: equalOp,
  notEqual: notEqualOp,
  less: lessOp,
  lessEqual: lessEqualOp,
  greater: greaterOp,
  greaterEqual: greaterEqualOp,
  where: whereOp,
  clip: clipOp,
  cast: castOp,
  sum: sumOp,
  mean: meanOp,
  max: maxOp,
  min: minOp,
  logsumexp: logsumexpOp,
  matmul: matmulOp,
  transpose: transposeOp,
  reshape: reshapeOp,
  broadcastTo: broadcastToOp,
  concat: concatOp,
  expandDims: expandDimsOp,
  squeeze: squeezeOp,
  sumTo: sumToOp,
  broadcastLike: broadcastLikeOp,
  softmax: softmaxOp,
  logSoftmax: logSoftmaxOp,
  oneHot: oneHotOp,
  gather: gatherOp,
  gatherGrad: gatherGradOp,
  reshapeLike: reshapeLikeOp,
  slice: sliceOp,
  sliceGrad: sliceGradOp,
  sigmoidCrossEntropyWithLogits: sigmoidCrossEntropyWithLogitsOp,
  softmaxCrossEntropyWithLogits: softmaxCrossEntropyWithLogitsOp,
  sparseSoftmaxCrossEntropyWithLogits: sparseSoftmaxCrossEntropyWithLogitsOp,
  sigmoidCrossEntropyGrad: sigmoidCrossEntropyGradOp,
  softmaxCrossEntropyGrad: softmaxCrossEntropyGradOp,
  sparseSoftmaxCrossEntropyGrad: sparseSoftmaxCrossEntropyGradOp,
  weightedSigmoidCrossEntropyWithLogits: weightedSigmoidCrossEntropyWithLogitsOp,
  weightedSigmoidCrossEntropyGrad: weightedSigmoidCrossEntropyGradOp,
  rsqrt: rsqrtOp,
  variance: varianceOp,
  conv2d: conv2dOp,
  conv2dBackpropInput: conv2dBackpropInputOp,
  conv2dBackpropFilter: conv2dBackpropFilterOp,
  maxPool2d: maxPool2dOp,
  maxPool2dGrad: maxPool2dGradOp,
  maxPool2dGradGrad: maxPool2dGradGradOp,
  avgPool2d: avgPool2dOp,
  avgPool2dGrad: avgPool2dGradOp,
} as const satisfies { readonly [K in OpName]: OpDef<never> };

export type { OpName } from './op-names.js';

/**
 * True when `name` is a registered op.
 * @example
 * ```ts
 * isOpName('matmul'); // true
 * isOpName('conv2d'); // false
 * ```
 */
export function isOpName(name: unknown): name is OpName {
  return typeof name === 'string' && Object.hasOwn(registry, name);
}

/**
 * The definition of a registered op, typed for generic use (interpreter, loader, sweeps).
 * @example
 * ```ts
 * const def = opDef(node.op); // any node's op definition
 * def.arity;
 * ```
 */
export function opDef(name: OpName): OpDef {
  return registry[name] as unknown as OpDef;
}

/**
 * True when the op named `name` declares `trait` on its definition (see `OpDef.traits`).
 * @example
 * ```ts
 * hasTrait('logsumexp', 'reduction');                  // true
 * hasTrait('sparseSoftmaxCrossEntropyWithLogits', 'fusedLoss'); // true
 * ```
 */
export function hasTrait(name: string, trait: OpTrait): boolean {
  return isOpName(name) && (opDef(name).traits?.includes(trait) ?? false);
}

/**
 * The ops that declare `trait`, in registry order: the one place a group of ops is derived.
 * @example
 * ```ts
 * opsWith('source'); // ['input', 'param', 'constant']
 * ```
 */
export function opsWith(trait: OpTrait): OpName[] {
  return (Object.keys(registry) as OpName[]).filter((name) => hasTrait(name, trait));
}

/**
 * True when the op named `name` is elementwise: it declares the scalar function its kernel and
 * the compiled backend's fused loops apply to each element.
 * @example
 * ```ts
 * isElementwise('exp');    // true
 * isElementwise('matmul'); // false
 * ```
 */
export function isElementwise(name: string): boolean {
  return isOpName(name) && opDef(name).elementwise !== undefined;
}
