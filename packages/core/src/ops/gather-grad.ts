/**
 * `gatherGrad(g, indices, like, { axis, batchDims })`: zeros shaped like `like` at run time,
 * with each entry of `g` added where `gather(like, indices, ...)` picked it from (a
 * scatter-add; repeated indices accumulate). The gradient of `gather`; `like` only lends its
 * shape.
 * @module
 */
import { apply } from '../apply.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { reduceInto } from '../kernels/reduce.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { gather, type GatherAttrs, gatherIndex, gatherShape } from './gather.js';

export const gatherGradOp = defineOp<GatherAttrs>({
  name: 'gatherGrad',
  arity: 3,
  attrs: { axis: 'int', batchDims: 'int' },
  infer: ([g, indices, like], attrs) => {
    const expected = gatherShape(like!, indices!, attrs);
    if (!mayBeSameShape(g!.shape, expected)) throw new ShapeError(`gradient ${formatShape(g!.shape)} does not fit the gather output ${formatShape(expected)}`);
    if (g!.dtype !== like!.dtype) throw new DTypeError(`dtypes differ: ${g!.dtype} vs ${like!.dtype}`);
    return { shape: like!.shape, dtype: g!.dtype };
  },
  kernel: ([g, indices, like], attrs, out, node) => {
    const idx = indices!.data;
    const map = gatherIndex(like!.shape, indices!.shape, (i) => idx[i]!, attrs, node);
    reduceInto(g!.data, map, new Float64Array(out.data.length), out.data, 1);
  },
  reference: ([g, indices, like], attrs, M, out, node) => {
    const y = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    const map = gatherIndex(like!.shape, indices!.shape, (i) => M.toNumber(indices!.data[i]!), attrs, node);
    map.forEach((p, i) => (y[p] = M.add(y[p]!, g!.data[i]!)));
    return y;
  },
  // scatter-add is linear in g and its adjoint is gathering
  vjp: ({ inputs, attrs, cotangent }) => [gather(cotangent, inputs[1]!, attrs), null, null],
  dot: ({ axis }) => `gatherGrad ${axis}`,
});

/**
 * Scatter-adds `g` into zeros shaped like `like`, at the positions `gather(like, indices,
 * options)` reads. The gradient of `gather`; exported for custom VJPs.
 * @example
 * ```ts
 * gatherGrad(ct, labels, logProbs, { axis: 1, batchDims: 1 }); // shape of logProbs
 * ```
 */
export function gatherGrad(g: Node, indices: Node, like: Node, options: { readonly axis: number; readonly batchDims: number }): Node {
  return apply(gatherGradOp, [g, indices, like], { axis: options.axis, batchDims: options.batchDims });
}
