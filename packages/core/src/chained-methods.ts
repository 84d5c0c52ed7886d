/**
 * The chained methods of {@link Node} (`x.matmul(W).add(b).relu()`), installed on `Node.prototype`.
 * They live here, not in node.ts, because every op file imports apply.ts and so node.ts: node.ts
 * importing the ops made one import circle of ~60 files. Their types join the class by declaration
 * merging, so `x.exp()` is typed and documented exactly as a method written in the class body.
 * index.ts and registry.ts import this module for its side effect, so whoever holds a Node from
 * `@stablegrad/core`, or reaches a VJP rule through the registry, has the methods (package.json
 * lists the three modules under `sideEffects`, so bundlers keep them). This is the one deliberate
 * exception to STYLE.md's "no prototype patching": the alternative is the import circle.
 * @module
 */
import type { DType } from './dtype.js';
import { Node, type NodeFields, type NodeLike, type ReduceOptions } from './node.js';
import type { Dim } from './shape.js';
import { abs } from './ops/abs.js';
import { add } from './ops/add.js';
import { broadcastTo } from './ops/broadcast-to.js';
import { cast } from './ops/cast.js';
import { clip } from './ops/clip.js';
import { div } from './ops/div.js';
import { equal } from './ops/equal.js';
import { exp } from './ops/exp.js';
import { expandDims } from './ops/expand-dims.js';
import { expm1 } from './ops/expm1.js';
import { gather } from './ops/gather.js';
import { greater } from './ops/greater.js';
import { greaterEqual } from './ops/greater-equal.js';
import { less } from './ops/less.js';
import { lessEqual } from './ops/less-equal.js';
import { log } from './ops/log.js';
import { log1p } from './ops/log1p.js';
import { logSigmoid } from './ops/log-sigmoid.js';
import { log1mexp } from './ops/log1mexp.js';
import { logaddexp } from './ops/logaddexp.js';
import { logSoftmax } from './ops/log-softmax.js';
import { logsumexp } from './ops/logsumexp.js';
import { matmul } from './ops/matmul.js';
import { max } from './ops/max.js';
import { maximum } from './ops/maximum.js';
import { mean } from './ops/mean.js';
import { min } from './ops/min.js';
import { minimum } from './ops/minimum.js';
import { mul } from './ops/mul.js';
import { neg } from './ops/neg.js';
import { notEqual } from './ops/not-equal.js';
import { oneHot } from './ops/one-hot.js';
import { pow } from './ops/pow.js';
import { relu } from './ops/relu.js';
import { reshape } from './ops/reshape.js';
import { rsqrt } from './ops/rsqrt.js';
import { sigmoid } from './ops/sigmoid.js';
import { sign } from './ops/sign.js';
import { softmax } from './ops/softmax.js';
import { softplus } from './ops/softplus.js';
import { sqrt } from './ops/sqrt.js';
import { square } from './ops/square.js';
import { squeeze } from './ops/squeeze.js';
import { sub } from './ops/sub.js';
import { sum } from './ops/sum.js';
import { tanh } from './ops/tanh.js';
import { transpose } from './ops/transpose.js';
import { variance } from './ops/variance.js';

declare module './node.js' {
  interface Node {
    /** Chained form of {@link add}: elementwise `this + other`, broadcasting. */
    add(other: NodeLike): Node;
    /** Chained form of {@link sub}: elementwise `this - other`, broadcasting. */
    sub(other: NodeLike): Node;
    /** Chained form of {@link mul}: elementwise `this * other`, broadcasting. */
    mul(other: NodeLike): Node;
    /** Chained form of {@link div}: elementwise `this / other`, broadcasting. */
    div(other: NodeLike): Node;
    /** Chained form of {@link pow}: elementwise `this ** other`, broadcasting. */
    pow(other: NodeLike): Node;
    /** Chained form of {@link maximum}: elementwise larger of `this` and `other`. */
    maximum(other: NodeLike): Node;
    /** Chained form of {@link minimum}: elementwise smaller of `this` and `other`. */
    minimum(other: NodeLike): Node;
    /** Chained form of {@link logaddexp}: elementwise `log(e^this + e^other)`, broadcasting, computed stably. */
    logaddexp(other: NodeLike): Node;
    /** Chained form of {@link equal}: elementwise `this == other`, as int32 0 or 1. */
    equal(other: NodeLike): Node;
    /** Chained form of {@link notEqual}: elementwise `this != other`, as int32 0 or 1. */
    notEqual(other: NodeLike): Node;
    /** Chained form of {@link less}: elementwise `this < other`, as int32 0 or 1. */
    less(other: NodeLike): Node;
    /** Chained form of {@link lessEqual}: elementwise `this <= other`, as int32 0 or 1. */
    lessEqual(other: NodeLike): Node;
    /** Chained form of {@link greater}: elementwise `this > other`, as int32 0 or 1. */
    greater(other: NodeLike): Node;
    /** Chained form of {@link greaterEqual}: elementwise `this >= other`, as int32 0 or 1. */
    greaterEqual(other: NodeLike): Node;
    /** Chained form of {@link neg}: `-this`. */
    neg(): Node;
    /** Chained form of {@link abs}: `|this|`. */
    abs(): Node;
    /** Chained form of {@link sign}: -1, 0 or 1 elementwise. */
    sign(): Node;
    /** Chained form of {@link exp}: `e^this`. */
    exp(): Node;
    /** Chained form of {@link log}: natural logarithm. */
    log(): Node;
    /** Chained form of {@link log1p}: `log(1 + this)`, accurate near 0. */
    log1p(): Node;
    /** Chained form of {@link expm1}: `e^this - 1`, accurate near 0. */
    expm1(): Node;
    /** Chained form of {@link sqrt}: square root. */
    sqrt(): Node;
    /** Chained form of {@link rsqrt}: `1 / sqrt(this)`. */
    rsqrt(): Node;
    /** Chained form of {@link square}: `this * this`. */
    square(): Node;
    /** Chained form of {@link tanh}: hyperbolic tangent. */
    tanh(): Node;
    /** Chained form of {@link sigmoid}: `1 / (1 + e^-this)`. */
    sigmoid(): Node;
    /** Chained form of {@link relu}: `max(this, 0)`. */
    relu(): Node;
    /** Chained form of {@link softplus}: `log(1 + e^this)`, computed stably. */
    softplus(): Node;
    /** Chained form of {@link logSigmoid}: `log(sigmoid(this))`, computed stably. */
    logSigmoid(): Node;
    /** Chained form of {@link log1mexp}: `log(1 - e^this)` for this <= 0, computed stably. */
    log1mexp(): Node;
    /** Chained form of {@link clip}: clamps into `[lo, hi]`. */
    clip(lo: number, hi: number): Node;
    /** Chained form of {@link cast}: converts to another dtype. */
    cast(dtype: DType): Node;
    /** Chained form of {@link sum}: sum over `options.axis` (all axes by default). */
    sum(options?: ReduceOptions): Node;
    /** Chained form of {@link mean}: mean over `options.axis` (all axes by default). */
    mean(options?: ReduceOptions): Node;
    /** Chained form of {@link variance}: population variance over `options.axis` (all axes by default). */
    variance(options?: ReduceOptions): Node;
    /** Chained form of {@link max}: maximum over `options.axis` (all axes by default). */
    max(options?: ReduceOptions): Node;
    /** Chained form of {@link min}: minimum over `options.axis` (all axes by default). */
    min(options?: ReduceOptions): Node;
    /** Chained form of {@link logsumexp}: `log(sum(exp(this)))` over `options.axis`, computed stably. */
    logsumexp(options?: ReduceOptions): Node;
    /** Chained form of {@link softmax} along `axis` (the last by default). */
    softmax(axis?: number): Node;
    /** Chained form of {@link logSoftmax} along `axis` (the last by default), computed stably. */
    logSoftmax(axis?: number): Node;
    /** Chained form of {@link matmul}: matrix product `this @ other`. */
    matmul(other: Node): Node;
    /** Chained form of {@link transpose}: permutes axes (reverses them by default). */
    transpose(perm?: readonly number[]): Node;
    /** Chained form of {@link reshape}: same elements, new shape. */
    reshape(shape: readonly Dim[]): Node;
    /** Chained form of {@link broadcastTo}: broadcasts to `shape`. */
    broadcastTo(shape: readonly Dim[]): Node;
    /** Chained form of {@link expandDims}: inserts a size-1 axis at `axis`. */
    expandDims(axis: number): Node;
    /** Chained form of {@link squeeze}: removes size-1 axes (all of them by default). */
    squeeze(axis?: number | readonly number[]): Node;
    /** Chained form of {@link gather}: picks entries along `options.axis` by integer `indices`. */
    gather(indices: Node, options?: { axis?: number; batchDims?: number }): Node;
    /** Chained form of {@link oneHot}: one-hot rows of length `depth` from integer labels. */
    oneHot(depth: number, options?: { dtype?: DType }): Node;
  }
}

/** The chained methods' names: the members of a Node that are not its fields, accessors or toString. */
type ChainedMethodName = Exclude<keyof Node, keyof NodeFields | 'id' | 'path' | 'rank' | 'toString'>;

// The compiler refuses this table until every method declared above has its body.
const chainedMethods: { readonly [K in ChainedMethodName]: Node[K] } & ThisType<Node> = {
  add(other) { return add(this, other); },
  sub(other) { return sub(this, other); },
  mul(other) { return mul(this, other); },
  div(other) { return div(this, other); },
  pow(other) { return pow(this, other); },
  maximum(other) { return maximum(this, other); },
  minimum(other) { return minimum(this, other); },
  logaddexp(other) { return logaddexp(this, other); },
  equal(other) { return equal(this, other); },
  notEqual(other) { return notEqual(this, other); },
  less(other) { return less(this, other); },
  lessEqual(other) { return lessEqual(this, other); },
  greater(other) { return greater(this, other); },
  greaterEqual(other) { return greaterEqual(this, other); },
  neg() { return neg(this); },
  abs() { return abs(this); },
  sign() { return sign(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  log1p() { return log1p(this); },
  expm1() { return expm1(this); },
  sqrt() { return sqrt(this); },
  rsqrt() { return rsqrt(this); },
  square() { return square(this); },
  tanh() { return tanh(this); },
  sigmoid() { return sigmoid(this); },
  relu() { return relu(this); },
  softplus() { return softplus(this); },
  logSigmoid() { return logSigmoid(this); },
  log1mexp() { return log1mexp(this); },
  clip(lo, hi) { return clip(this, lo, hi); },
  cast(dtype) { return cast(this, dtype); },
  sum(options) { return sum(this, options); },
  mean(options) { return mean(this, options); },
  variance(options) { return variance(this, options); },
  max(options) { return max(this, options); },
  min(options) { return min(this, options); },
  logsumexp(options) { return logsumexp(this, options); },
  softmax(axis) { return softmax(this, axis); },
  logSoftmax(axis) { return logSoftmax(this, axis); },
  matmul(other) { return matmul(this, other); },
  transpose(perm) { return transpose(this, perm); },
  reshape(shape) { return reshape(this, shape); },
  broadcastTo(shape) { return broadcastTo(this, shape); },
  expandDims(axis) { return expandDims(this, axis); },
  squeeze(axis) { return squeeze(this, axis); },
  gather(indices, options) { return gather(this, indices, options); },
  oneHot(depth, options) { return oneHot(this, depth, options); },
};

for (const [name, method] of Object.entries(chainedMethods)) {
  // Not enumerable, as methods written in a class body are not.
  Object.defineProperty(Node.prototype, name, { value: method, writable: true, enumerable: false, configurable: true });
}
