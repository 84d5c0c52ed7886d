/**
 * `transpose(x, perm)`: permutes axes; output axis i is input axis perm[i]. The default
 * reverses the axes (a matrix transpose for rank 2).
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type ConcreteShape, normalizeAxis, stridesOf } from '../shape.js';
import { stridedIndex } from '../kernels/indexing.js';

/** For each output element of the transpose of `shape` by `perm`, its flat input index. */
export function transposeIndex(shape: ConcreteShape, perm: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  return stridedIndex(perm.map((p) => shape[p]!), perm.map((p) => strides[p]!));
}

function checkPerm(perm: readonly number[], rank: number): void {
  const seen = new Set(perm);
  if (perm.length !== rank || seen.size !== rank || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= rank)) {
    throw new ShapeError(`perm ${JSON.stringify(perm)} is not a permutation of the ${rank} axes`);
  }
}

export const transposeOp = defineOp<{ perm: readonly number[] }>({
  name: 'transpose',
  traits: ['movement'],
  arity: 1,
  attrs: { perm: 'ints' },
  infer: ([x], { perm }) => {
    checkPerm(perm, x!.shape.length);
    return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  },
  kernel: ([x], { perm }, out) => {
    const map = transposeIndex(x!.shape, perm);
    const y = out.data;
    const data = x!.data;
    for (let i = 0; i < map.length; i++) y[i] = data[map[i]!]!;
  },
  reference: ([x], { perm }) => Array.from(transposeIndex(x!.shape, perm), (i) => x!.data[i]!),
  // transposing is a permutation; its adjoint is the inverse permutation
  vjp: ({ attrs, cotangent }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(cotangent, inverse)];
  },
  dot: ({ perm }) => `transpose ${JSON.stringify(perm)}`,
});

/**
 * Permutes the axes of `x` (negative entries count from the end); by default reverses them.
 * @example
 * ```ts
 * input([2, 3]).transpose().shape;            // [3, 2]
 * transpose(input([2, 3, 4]), [0, 2, 1]).shape; // [2, 4, 3]
 * ```
 */
export function transpose(x: Node, perm?: readonly number[]): Node {
  const rank = x.shape.length;
  const p = perm === undefined
    ? Array.from({ length: rank }, (_, i) => rank - 1 - i)
    : perm.map((a) => normalizeAxis(a, rank, `transpose '${x.path}'`));
  return apply(transposeOp, [x], { perm: p });
}
