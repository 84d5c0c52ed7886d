/**
 * `expandDims(x, axis)`: inserts a dimension of size 1 at `axis`.
 * @module
 */
import { apply } from '../apply.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { checkAxis } from './_rules.js';
import { squeeze } from './squeeze.js';

export const expandDimsOp = defineOp<{ axis: number }>({
  name: 'expandDims',
  traits: ['view', 'movement'],
  arity: 1,
  attrs: { axis: 'int' },
  infer: ([x], { axis }) => {
    checkAxis(axis, x!.shape.length + 1);
    const shape = [...x!.shape];
    shape.splice(axis, 0, 1);
    return { shape, dtype: x!.dtype };
  },
  // Row-major data does not move when a size-1 axis is inserted.
  kernel: ([x], _attrs, out) => out.data.set(x!.data),
  reference: ([x]) => [...x!.data],
  vjp: ({ attrs, cotangent }) => [squeeze(cotangent, attrs.axis)],
  dot: ({ axis }) => `expandDims ${axis}`,
});

/**
 * Inserts a size-1 dimension at `axis` (negative counts from the end of the new shape).
 * @example
 * ```ts
 * input([3]).expandDims(0).shape; // [1, 3]
 * ```
 */
export function expandDims(x: Node, axis: number): Node {
  return apply(expandDimsOp, [x], { axis: normalizeAxis(axis, x.shape.length + 1, `expandDims '${x.path}'`) });
}
