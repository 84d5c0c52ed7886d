/**
 * `where(cond, a, b)`: a where cond is nonzero, else b, with NumPy broadcasting of all three.
 * `cond` may have any dtype (NaN counts as nonzero); `a` and `b` share one dtype, the output's.
 * @module
 */
import { apply } from '../apply.js';
import { type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { broadcastIndex } from '../kernels/indexing.js';
import { differentiable } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { constant } from './constant.js';

export const whereOp = defineOp({
  name: 'where',
  arity: 3,
  attrs: {},
  infer: ([cond, a, b]) => {
    if (a!.dtype !== b!.dtype) throw new DTypeError(`branches have different dtypes (${a!.dtype} vs ${b!.dtype}); cast one of them`);
    return { shape: broadcastShapes(cond!.shape, broadcastShapes(a!.shape, b!.shape)), dtype: a!.dtype };
  },
  // `!== 0` rather than truthiness, so NaN selects a
  elementwise: { scalar: (c, a, b) => (c !== 0 ? a : b) },
  reference: ([cond, a, b], _attrs, M, out) => {
    const zero = M.fromNumber(0);
    const [ic, ia, ib] = [cond!, a!, b!].map((t) => broadcastIndex(t.shape, out.shape)) as [Int32Array, Int32Array, Int32Array];
    return Array.from(ic, (ci, i) => {
      const c = cond!.data[ci]!;
      return M.isNaN(c) || M.cmp(c, zero) !== 0 ? a!.data[ia[i]!]! : b!.data[ib[i]!]!;
    });
  },
  // d where(c, a, b) = where(c, da, 0) + where(c, 0, db); the condition gets none
  vjp: ({ inputs, cotangent }) => {
    const [cond, a, b] = [inputs[0]!, inputs[1]!, inputs[2]!];
    return [
      null,
      differentiable(a) ? unbroadcast(where(cond, cotangent, 0), a) : null,
      differentiable(b) ? unbroadcast(where(cond, 0, cotangent), b) : null,
    ];
  },
  dot: () => 'where',
});

/**
 * Elementwise selection: `a` where `cond` is nonzero, else `b`, broadcasting all three. A number
 * for `a` or `b` takes the other one's dtype (float32 if both are numbers).
 * @example
 * ```ts
 * where(x.greater(0), x, x.mul(0.01)); // leaky relu
 * where(mask, y, 0);
 * ```
 */
export function where(cond: Node, a: NodeLike, b: NodeLike): Node {
  const dtype: DType = typeof a !== 'number' ? a.dtype : typeof b !== 'number' ? b.dtype : 'float32';
  const branch = (v: NodeLike): Node => (typeof v === 'number' ? constant(v, { dtype }) : v);
  return apply(whereOp, [cond, branch(a), branch(b)], {});
}
