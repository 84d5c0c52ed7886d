/**
 * `oneHot(indices, depth, { dtype })`: for each int32 index, a row of `depth` values with 1 at
 * the index and 0 elsewhere; shape `[...indices.shape, depth]`. An index outside `[0, depth)`
 * gives a row of zeros, as in `tf.oneHot`.
 * @module
 */
import { apply } from '../apply.js';
import { type DType, isDType } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';

export const oneHotOp = defineOp<{ depth: number; dtype: DType }>({
  name: 'oneHot',
  arity: 1,
  attrs: { depth: 'int', dtype: 'dtype' },
  infer: ([indices], { depth, dtype }) => {
    if (indices!.dtype !== 'int32') throw new DTypeError(`indices must be int32, got ${indices!.dtype}; cast them first`);
    if (!Number.isInteger(depth) || depth < 0) throw new ShapeError(`depth must be an integer >= 0, got ${depth}`);
    if (!isDType(dtype)) throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}`);
    return { shape: [...indices!.shape, depth], dtype };
  },
  kernel: ([indices], { depth }, out) => {
    const idx = indices!.data;
    const y = out.data;
    y.fill(0);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i]!;
      if (k >= 0 && k < depth) y[i * depth + k] = 1;
    }
  },
  reference: ([indices], { depth }, M) => {
    const [zero, one] = [M.fromNumber(0), M.fromNumber(1)];
    return indices!.data.flatMap((v) => {
      const k = M.toNumber(v);
      return Array.from({ length: depth }, (_, j) => (j === k ? one : zero));
    });
  },
  // the output does not vary smoothly with integer indices
  vjp: () => [null],
  dot: ({ depth }) => `oneHot ${depth}`,
});

/**
 * One-hot rows of length `depth` for int32 `indices` (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * const labels = input(['batch'], { dtype: 'int32' });
 * labels.oneHot(10).shape; // [batch, 10]
 * ```
 */
export function oneHot(indices: Node, depth: number, options: { dtype?: DType } = {}): Node {
  return apply(oneHotOp, [indices], { depth, dtype: options.dtype ?? 'float32' });
}
