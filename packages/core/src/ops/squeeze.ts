/**
 * `squeeze(x, axis)`: removes axes of size 1 (by default every axis whose static size is 1).
 * An axis must be statically 1: squeezing a larger or symbolic axis is a ShapeError.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, normalizeAxes } from '../shape.js';
import { checkAxes } from './_rules.js';
import { expandDims } from './expand-dims.js';

export const squeezeOp = defineOp<{ axes: readonly number[] }>({
  name: 'squeeze',
  traits: ['view', 'movement'],
  arity: 1,
  attrs: { axes: 'ints' },
  infer: ([x], { axes }) => {
    const shape = x!.shape;
    checkAxes(axes, shape.length);
    for (const a of axes) {
      if (shape[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of ${formatShape(shape)}: its size is ${String(shape[a] ?? '?')}, not 1`);
    }
    return { shape: shape.filter((_, i) => !axes.includes(i)), dtype: x!.dtype };
  },
  // Row-major data does not move when size-1 axes go.
  kernel: ([x], _attrs, out) => out.data.set(x!.data),
  reference: ([x]) => [...x!.data],
  // the adjoint puts the size-1 axes back, lowest first so each lands at its old position
  vjp: ({ attrs, cotangent }) => [attrs.axes.reduce((g, a) => expandDims(g, a), cotangent)],
  dot: ({ axes }) => `squeeze ${JSON.stringify(axes)}`,
});

/**
 * Removes size-1 axes: the given `axis` (a number or list) or, by default, every axis whose
 * static size is 1.
 * @example
 * ```ts
 * input([2, 1, 3, 1]).squeeze().shape;  // [2, 3]
 * input([2, 1, 3, 1]).squeeze(1).shape; // [2, 3, 1]
 * ```
 */
export function squeeze(x: Node, axis?: number | readonly number[]): Node {
  const axes = axis === undefined
    ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : normalizeAxes(axis, x.shape.length, `squeeze '${x.path}'`);
  return apply(squeezeOp, [x], { axes });
}
