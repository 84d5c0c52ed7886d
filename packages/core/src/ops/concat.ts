/**
 * `concat(xs, axis)`: joins tensors along `axis`. All inputs have the same rank and dtype and
 * agree on the other axes (which may be symbolic); the sizes along `axis` must be static
 * numbers, so that the gradient can cut the cotangent back into pieces.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type Dim, formatShape, normalizeAxis, sizeOf } from '../shape.js';
import { checkAxis, sameDType } from './_rules.js';
import { slice } from './slice.js';

export const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  arity: 'variadic',
  attrs: { axis: 'int' },
  infer: (inputs, { axis }) => {
    const dtype = sameDType(inputs);
    const first = inputs[0]!.shape;
    const shapes = inputs.map((t) => formatShape(t.shape)).join(', ');
    checkAxis(axis, first.length);
    const shape: Dim[] = [...first];
    let total = 0;
    for (const { shape: s } of inputs) {
      if (s.length !== first.length) throw new ShapeError(`inputs have different ranks: ${shapes}`);
      const along = s[axis]!;
      if (typeof along !== 'number') throw new ShapeError(`sizes along the concat axis ${axis} must be static numbers: ${shapes}`);
      total += along;
      s.forEach((d, i) => {
        if (i === axis) return;
        const seen = shape[i]!;
        if (typeof d === 'number' && typeof seen === 'number' && d !== seen) {
          throw new ShapeError(`inputs differ on axis ${i}, which is not the concat axis ${axis}: ${shapes}`);
        }
        if (typeof d === 'number') shape[i] = d;
        else if (d !== seen && typeof seen !== 'number') shape[i] = null;
      });
    }
    shape[axis] = total;
    return { shape, dtype };
  },
  kernel: (inputs, { axis }, out) => {
    const y = out.data;
    const outer = sizeOf(out.shape.slice(0, axis));
    const inner = sizeOf(out.shape.slice(axis + 1));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of inputs) {
        const chunk = t.shape[axis]! * inner;
        y.set(t.data.subarray(o * chunk, (o + 1) * chunk), pos);
        pos += chunk;
      }
    }
  },
  reference: (inputs, { axis }, _M, out) => {
    const outer = sizeOf(out.shape.slice(0, axis));
    const inner = sizeOf(out.shape.slice(axis + 1));
    const y = [];
    for (let o = 0; o < outer; o++) {
      for (const t of inputs) {
        const chunk = t.shape[axis]! * inner;
        for (let k = o * chunk; k < (o + 1) * chunk; k++) y.push(t.data[k]!);
      }
    }
    return y;
  },
  // concat stacks blocks; its adjoint cuts the cotangent into the same blocks
  vjp: ({ inputs, attrs, cotangent }) => {
    let offset = 0;
    return inputs.map((x) => {
      const n = x.shape[attrs.axis] as number;
      const begin = x.shape.map((_, i) => (i === attrs.axis ? offset : 0));
      const size = x.shape.map((_, i) => (i === attrs.axis ? n : -1));
      offset += n;
      return slice(cotangent, begin, size);
    });
  },
  dot: ({ axis }) => `concat ${axis}`,
});

/**
 * Concatenates `xs` along `axis` (default 0; negative counts from the end).
 * @example
 * ```ts
 * concat([input(['batch', 2]), input(['batch', 3])], 1).shape; // [batch, 5]
 * ```
 */
export function concat(xs: readonly Node[], axis = 0): Node {
  const rank = xs[0]?.shape.length ?? 0;
  return apply(concatOp, xs, { axis: normalizeAxis(axis, rank, `concat '${xs[0]?.path ?? 'concat'}'`) });
}
