/**
 * `gather(x, indices, { axis, batchDims })`: picks slices of `x` along `axis` at int32
 * `indices`, with `tf.gather` semantics. The output shape is
 * `x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:]`; the first `batchDims` axes
 * of `x` and `indices` are paired rather than crossed, so with logProbs of shape [n, k] and
 * labels of shape [n], `gather(logProbs, labels, { axis: 1, batchDims: 1 })` picks one entry per
 * row, giving [n]. An index outside `[0, x.shape[axis])` is a ValueError naming the node and the index.
 * @module
 */
import { apply } from '../apply.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp, type TypeInfo } from '../op.js';
import { type ConcreteShape, type Dim, formatShape, normalizeAxis, sizeOf, unravelIndex } from '../shape.js';
import { checkAxis } from './_rules.js';
import { gatherGrad } from './gather-grad.js';

/** Attributes of gather and gatherGrad. */
export type GatherAttrs = { axis: number; batchDims: number };

/** Shape rule of gather (also checks the dtype of `indices`). */
export function gatherShape(x: TypeInfo, indices: TypeInfo, { axis, batchDims }: GatherAttrs): Dim[] {
  if (indices.dtype !== 'int32') throw new DTypeError(`indices must be int32, got ${indices.dtype}; cast them first`);
  const [xs, is] = [x.shape, indices.shape];
  checkAxis(axis, xs.length);
  if (!Number.isInteger(batchDims) || batchDims < 0 || batchDims > axis || batchDims > is.length) {
    throw new ShapeError(`batchDims ${batchDims} must be in [0, ${Math.min(axis, is.length)}] (at most the axis ${axis} and the rank ${is.length} of indices)`);
  }
  const batch = xs.slice(0, batchDims).map((d, i): Dim => {
    const e = is[i]!;
    if (typeof d === 'number' && typeof e === 'number' && d !== e) {
      throw new ShapeError(`x ${formatShape(xs)} and indices ${formatShape(is)} differ on batch axis ${i} (${d} vs ${e})`);
    }
    return typeof d === 'number' ? d : typeof e === 'number' ? e : d === e ? d : null;
  });
  return [...batch, ...xs.slice(batchDims, axis), ...is.slice(batchDims), ...xs.slice(axis + 1)];
}

/**
 * For each output element of gather, the flat index of `x` it copies; `indexAt(i)` reads the
 * i-th index. An index out of range is a ValueError naming `node`, the index and its position.
 */
export function gatherIndex(
  x: ConcreteShape, indicesShape: ConcreteShape, indexAt: (i: number) => number, { axis, batchDims }: GatherAttrs, node: Node,
): Int32Array {
  const batch = sizeOf(x.slice(0, batchDims));
  const outer = sizeOf(x.slice(batchDims, axis));
  const n = x[axis]!;
  const inner = sizeOf(x.slice(axis + 1));
  const count = sizeOf(indicesShape.slice(batchDims));
  const map = new Int32Array(batch * outer * count * inner);
  let dst = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < count; i++) {
        const k = indexAt(b * count + i);
        if (!(k >= 0 && k < n)) {
          const at = formatShape(unravelIndex(b * count + i, indicesShape));
          throw new ValueError(`${node}: index ${k} at position ${at} of indices ${formatShape(indicesShape)} is out of range [0, ${n}) for axis ${axis} of ${formatShape(x)}`);
        }
        const src = ((b * outer + o) * n + k) * inner;
        for (let j = 0; j < inner; j++) map[dst++] = src + j;
      }
    }
  }
  return map;
}

export const gatherOp = defineOp<GatherAttrs>({
  name: 'gather',
  traits: ['movement'],
  arity: 2,
  attrs: { axis: 'int', batchDims: 'int' },
  infer: ([x, indices], attrs) => ({ shape: gatherShape(x!, indices!, attrs), dtype: x!.dtype }),
  kernel: ([x, indices], attrs, out, node) => {
    const idx = indices!.data;
    const map = gatherIndex(x!.shape, indices!.shape, (i) => idx[i]!, attrs, node);
    const y = out.data;
    const data = x!.data;
    for (let i = 0; i < map.length; i++) y[i] = data[map[i]!]!;
  },
  reference: ([x, indices], attrs, M, _out, node) =>
    Array.from(gatherIndex(x!.shape, indices!.shape, (i) => M.toNumber(indices!.data[i]!), attrs, node), (i) => x!.data[i]!),
  // gathering selects; its adjoint adds each cotangent entry back where it was picked from
  vjp: ({ inputs, attrs, cotangent }) => [gatherGrad(cotangent, inputs[1]!, inputs[0]!, attrs), null],
  dot: ({ axis, batchDims }) => (batchDims === 0 ? `gather ${axis}` : `gather ${axis} batchDims ${batchDims}`),
});

/**
 * Picks slices of `x` along `axis` (default 0) at int32 `indices`; the first `batchDims` axes
 * of `x` and `indices` are matched pairwise (negative `axis` counts from the end of x's axes,
 * negative `batchDims` from the end of indices').
 * @example
 * ```ts
 * const logProbs = input(['batch', 10], { dtype: 'float64' });
 * const labels = input(['batch'], { dtype: 'int32' });
 * gather(logProbs, labels, { axis: 1, batchDims: 1 }).shape; // [batch]
 * ```
 */
export function gather(x: Node, indices: Node, options: { axis?: number; batchDims?: number } = {}): Node {
  const axis = normalizeAxis(options.axis ?? 0, x.shape.length, `gather '${x.path}'`);
  const batchDims = options.batchDims ?? 0;
  return apply(gatherOp, [x, indices], { axis, batchDims: batchDims < 0 ? batchDims + indices.shape.length : batchDims });
}
