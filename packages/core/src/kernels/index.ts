/**
 * `@stablegrad/core/kernels`: the loops behind the ops' kernels, for execution backends that
 * schedule their own buffers (the compiled backend). Not part of the user API: an op is run
 * through its definition's `kernel`; these are the same functions, exported so that a backend
 * that computes a variant (a matmul reading a transposed operand, the loss and gradient of one
 * cross-entropy in one pass) uses the interpreter's loops and gets its bits.
 * @module
 */
export { broadcastIndex, forEachLane, reductionIndex, stridedIndex } from './indexing.js';
export { binaryKernel, elementwiseKernel, ternaryKernel, unaryKernel } from './elementwise.js';
export { matmulInto, matmulJs } from './matmul.js';
export { reduceInto } from './reduce.js';
export { conv2dBackpropFilterInto, conv2dBackpropInputInto, conv2dInto } from './conv.js';
export { avgPoolGradInto, avgPoolInto, maxPoolArgmax, maxPoolGradGradInto, maxPoolGradInto, maxPoolInto } from './pool.js';
export { varianceInto } from './variance.js';
export { convGeometry, poolGeometry, type WindowGeometry } from '../ops/_window.js';
export { sparseRows } from './sparse-rows.js';
export {
  checkLabels, softmaxRowGrad, softmaxRowLoss, softmaxScratch, sparseRowGrad, sparseRowLoss, sparseRowLossAndGrad, type SoftmaxScratch,
} from '../ops/_cross-entropy.js';
export {
  type DD, ddAdd, ddAddNumber, ddDiv, ddExp, ddExpm1, ddLog1p, ddMul, ddMulNumber, ddSub, twoProd, twoSum,
} from '../ops/_double-double.js';
