/**
 * Graph nodes. A node is immutable: op, inputs, attributes, static shape and dtype, a
 * user-visible name and the scope path it was built in. Ops can be applied as functions
 * (`relu(add(matmul(x, W), b))`) or as chained methods (`x.matmul(W).add(b).relu()`).
 * @module
 */
import type { DType } from './dtype.js';
import type { Attrs } from './op.js';
import type { OpName } from './op-names.js';
import type { Dim, Shape } from './shape.js';
import type { Tensor } from './tensor.js';
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

/**
 * A node, or a number that becomes a constant of the other operand's dtype.
 * @example
 * ```ts
 * x.mul(2);     // 2 becomes a scalar constant of x's dtype
 * x.add(bias);
 * ```
 */
export type NodeLike = Node | number;

/**
 * Options of reductions.
 * @example
 * ```ts
 * x.sum({ axis: -1, keepDims: true }).shape; // ['batch', 1] for x of shape ['batch', 2]
 * x.mean({ axis: 0 }).shape;                 // [2]
 * ```
 */
export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes by default. */
  readonly axis?: number | readonly number[];
  /** Keep reduced axes as size 1. Default false. */
  readonly keepDims?: boolean;
}

let nextId = 0;

/**
 * The fields of a node, as given to its constructor.
 * @example
 * ```ts
 * // Builders make nodes; a NodeFields object is what they pass to the constructor.
 * const fields: NodeFields = { op: 'exp', inputs: [x], attrs: {}, shape: x.shape, dtype: x.dtype, name: 'exp', scope: [] };
 * ```
 */
export interface NodeFields {
  readonly op: OpName;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly name: string;
  readonly scope: readonly string[];
  readonly value?: Tensor | undefined;
}

/**
 * One immutable node of an expression graph. Make nodes with the builder functions
 * (`input`, `param`, `constant` and the ops), not with `new`.
 * @example
 * ```ts
 * const x = input([null, 3], { name: 'x' });
 * const W = param(tensor([[1], [2], [3]]), { name: 'W' });
 * const y = x.matmul(W).sigmoid();
 * y.shape; // [null, 1]
 * ```
 */
export class Node {
  /** Unique, increasing in creation order (so inputs always have smaller ids). */
  readonly id: number;
  /** The op's name, a key of the op registry. */
  readonly op: OpName;
  /** Input nodes, in the op's argument order. */
  readonly inputs: readonly Node[];
  /** The op's attributes (axes, shapes, bounds...), frozen. */
  readonly attrs: Attrs;
  /** Static shape; may hold symbolic dimensions. */
  readonly shape: Shape;
  /** Element type: float32, float64 or int32. */
  readonly dtype: DType;
  /** User-visible name (defaults to the op name). */
  readonly name: string;
  /** Scope path the node was built in, outermost first. */
  readonly scope: readonly string[];
  /** Value of a `constant`, initial value of a `param`; undefined for other ops. */
  readonly value: Tensor | undefined;

  constructor(fields: NodeFields) {
    this.id = nextId++;
    this.op = fields.op;
    this.inputs = Object.freeze([...fields.inputs]);
    this.attrs = Object.freeze({ ...fields.attrs });
    this.shape = Object.freeze([...fields.shape]);
    this.dtype = fields.dtype;
    this.name = fields.name;
    this.scope = Object.freeze([...fields.scope]);
    this.value = fields.value;
    Object.freeze(this);
  }

  /** Scope path and name, e.g. `dense_1/matmul`. */
  get path(): string {
    return this.scope.length === 0 ? this.name : `${this.scope.join('/')}/${this.name}`;
  }

  /** Rank (number of dimensions). */
  get rank(): number {
    return this.shape.length;
  }

  /** Short description for messages: `matmul 'dense_1/matmul' [?, 25] float32`. */
  toString(): string {
    const shape = `[${this.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
    return `${this.op} '${this.path}' ${shape} ${this.dtype}`;
  }

  /** Chained form of {@link add}: elementwise `this + other`, broadcasting. */
  add(other: NodeLike): Node { return add(this, other); }
  /** Chained form of {@link sub}: elementwise `this - other`, broadcasting. */
  sub(other: NodeLike): Node { return sub(this, other); }
  /** Chained form of {@link mul}: elementwise `this * other`, broadcasting. */
  mul(other: NodeLike): Node { return mul(this, other); }
  /** Chained form of {@link div}: elementwise `this / other`, broadcasting. */
  div(other: NodeLike): Node { return div(this, other); }
  /** Chained form of {@link pow}: elementwise `this ** other`, broadcasting. */
  pow(other: NodeLike): Node { return pow(this, other); }
  /** Chained form of {@link maximum}: elementwise larger of `this` and `other`. */
  maximum(other: NodeLike): Node { return maximum(this, other); }
  /** Chained form of {@link minimum}: elementwise smaller of `this` and `other`. */
  minimum(other: NodeLike): Node { return minimum(this, other); }
  /** Chained form of {@link logaddexp}: elementwise `log(e^this + e^other)`, broadcasting, computed stably. */
  logaddexp(other: NodeLike): Node { return logaddexp(this, other); }
  /** Chained form of {@link equal}: elementwise `this == other`, as int32 0 or 1. */
  equal(other: NodeLike): Node { return equal(this, other); }
  /** Chained form of {@link notEqual}: elementwise `this != other`, as int32 0 or 1. */
  notEqual(other: NodeLike): Node { return notEqual(this, other); }
  /** Chained form of {@link less}: elementwise `this < other`, as int32 0 or 1. */
  less(other: NodeLike): Node { return less(this, other); }
  /** Chained form of {@link lessEqual}: elementwise `this <= other`, as int32 0 or 1. */
  lessEqual(other: NodeLike): Node { return lessEqual(this, other); }
  /** Chained form of {@link greater}: elementwise `this > other`, as int32 0 or 1. */
  greater(other: NodeLike): Node { return greater(this, other); }
  /** Chained form of {@link greaterEqual}: elementwise `this >= other`, as int32 0 or 1. */
  greaterEqual(other: NodeLike): Node { return greaterEqual(this, other); }
  /** Chained form of {@link neg}: `-this`. */
  neg(): Node { return neg(this); }
  /** Chained form of {@link abs}: `|this|`. */
  abs(): Node { return abs(this); }
  /** Chained form of {@link sign}: -1, 0 or 1 elementwise. */
  sign(): Node { return sign(this); }
  /** Chained form of {@link exp}: `e^this`. */
  exp(): Node { return exp(this); }
  /** Chained form of {@link log}: natural logarithm. */
  log(): Node { return log(this); }
  /** Chained form of {@link log1p}: `log(1 + this)`, accurate near 0. */
  log1p(): Node { return log1p(this); }
  /** Chained form of {@link expm1}: `e^this - 1`, accurate near 0. */
  expm1(): Node { return expm1(this); }
  /** Chained form of {@link sqrt}: square root. */
  sqrt(): Node { return sqrt(this); }
  /** Chained form of {@link square}: `this * this`. */
  square(): Node { return square(this); }
  /** Chained form of {@link tanh}: hyperbolic tangent. */
  tanh(): Node { return tanh(this); }
  /** Chained form of {@link sigmoid}: `1 / (1 + e^-this)`. */
  sigmoid(): Node { return sigmoid(this); }
  /** Chained form of {@link relu}: `max(this, 0)`. */
  relu(): Node { return relu(this); }
  /** Chained form of {@link softplus}: `log(1 + e^this)`, computed stably. */
  softplus(): Node { return softplus(this); }
  /** Chained form of {@link logSigmoid}: `log(sigmoid(this))`, computed stably. */
  logSigmoid(): Node { return logSigmoid(this); }
  /** Chained form of {@link log1mexp}: `log(1 - e^this)` for this <= 0, computed stably. */
  log1mexp(): Node { return log1mexp(this); }
  /** Chained form of {@link clip}: clamps into `[lo, hi]`. */
  clip(lo: number, hi: number): Node { return clip(this, lo, hi); }
  /** Chained form of {@link cast}: converts to another dtype. */
  cast(dtype: DType): Node { return cast(this, dtype); }
  /** Chained form of {@link sum}: sum over `options.axis` (all axes by default). */
  sum(options?: ReduceOptions): Node { return sum(this, options); }
  /** Chained form of {@link mean}: mean over `options.axis` (all axes by default). */
  mean(options?: ReduceOptions): Node { return mean(this, options); }
  /** Chained form of {@link max}: maximum over `options.axis` (all axes by default). */
  max(options?: ReduceOptions): Node { return max(this, options); }
  /** Chained form of {@link min}: minimum over `options.axis` (all axes by default). */
  min(options?: ReduceOptions): Node { return min(this, options); }
  /** Chained form of {@link logsumexp}: `log(sum(exp(this)))` over `options.axis`, computed stably. */
  logsumexp(options?: ReduceOptions): Node { return logsumexp(this, options); }
  /** Chained form of {@link softmax} along `axis` (the last by default). */
  softmax(axis?: number): Node { return softmax(this, axis); }
  /** Chained form of {@link logSoftmax} along `axis` (the last by default), computed stably. */
  logSoftmax(axis?: number): Node { return logSoftmax(this, axis); }
  /** Chained form of {@link matmul}: matrix product `this @ other`. */
  matmul(other: Node): Node { return matmul(this, other); }
  /** Chained form of {@link transpose}: permutes axes (reverses them by default). */
  transpose(perm?: readonly number[]): Node { return transpose(this, perm); }
  /** Chained form of {@link reshape}: same elements, new shape. */
  reshape(shape: readonly Dim[]): Node { return reshape(this, shape); }
  /** Chained form of {@link broadcastTo}: broadcasts to `shape`. */
  broadcastTo(shape: readonly Dim[]): Node { return broadcastTo(this, shape); }
  /** Chained form of {@link expandDims}: inserts a size-1 axis at `axis`. */
  expandDims(axis: number): Node { return expandDims(this, axis); }
  /** Chained form of {@link squeeze}: removes size-1 axes (all of them by default). */
  squeeze(axis?: number | readonly number[]): Node { return squeeze(this, axis); }
  /** Chained form of {@link gather}: picks entries along `options.axis` by integer `indices`. */
  gather(indices: Node, options?: { axis?: number; batchDims?: number }): Node { return gather(this, indices, options); }
  /** Chained form of {@link oneHot}: one-hot rows of length `depth` from integer labels. */
  oneHot(depth: number, options?: { dtype?: DType }): Node { return oneHot(this, depth, options); }
}
