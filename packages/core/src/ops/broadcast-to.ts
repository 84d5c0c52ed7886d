/**
 * `broadcastTo(x, shape)`: repeats `x` along axes of size 1 (and new leading axes) to reach
 * `shape`, under NumPy broadcasting. Target entries are sizes or dimension names such as
 * `'batch'`, resolved when the graph runs.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type Dim, formatShape } from '../shape.js';
import { broadcastInto, broadcastValues } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';

function checkTarget(target: readonly Dim[]): void {
  for (const d of target) {
    const ok = typeof d === 'string' ? d.length > 0 : typeof d === 'number' && Number.isInteger(d) && d >= 0;
    if (!ok) throw new ShapeError(`broadcastTo target ${JSON.stringify(target)} has an invalid entry ${JSON.stringify(d)}: use sizes or dimension names`);
  }
}

export const broadcastToOp = defineOp<{ shape: readonly Dim[] }>({
  name: 'broadcastTo',
  traits: ['movement'],
  arity: 1,
  attrs: { shape: 'shape' },
  infer: ([x], { shape }, dims) => {
    checkTarget(shape);
    const from = x!.shape;
    const offset = shape.length - from.length;
    if (offset < 0) throw new ShapeError(`cannot broadcast ${formatShape(from)} to the lower rank ${formatShape(shape)}`);
    const out = shape.map((d, i): Dim => {
      if (typeof d !== 'string' || dims === undefined) return d;
      const bound = dims.get(d);
      if (bound !== undefined) return bound;
      // An unbound name takes the size x has there, if x is not broadcast along it.
      const own = i >= offset ? from[i - offset]! : 1;
      if (typeof own === 'number' && own !== 1) return own;
      throw new ShapeError(`cannot broadcast ${formatShape(from)} to ${formatShape(shape)}: dimension '${d}' is not bound`);
    });
    from.forEach((d, i) => {
      const t = out[i + offset]!;
      if (d !== 1 && d !== t && typeof d === 'number' && typeof t === 'number') {
        throw new ShapeError(`cannot broadcast ${formatShape(from)} to ${formatShape(out)} (${d} vs ${t} at axis ${i + offset})`);
      }
    });
    return { shape: out, dtype: x!.dtype };
  },
  kernel: ([x], _attrs, out) => broadcastInto(x!, out),
  reference: ([x], _attrs, _M, out) => broadcastValues(x!, out),
  // the adjoint of broadcasting sums the copies back
  vjp: ({ inputs, cotangent }) => [unbroadcast(cotangent, inputs[0]!)],
  dot: ({ shape }) => `broadcastTo ${formatShape(shape)}`,
});

/**
 * Broadcasts `x` to `shape` (sizes or dimension names).
 * @example
 * ```ts
 * const b = param(tensor([1, 2, 3]));
 * broadcastTo(b, ['batch', 3]); // shape [batch, 3]
 * ```
 */
export function broadcastTo(x: Node, shape: readonly Dim[]): Node {
  checkTarget(shape);
  return apply(broadcastToOp, [x], { shape: [...shape] });
}
