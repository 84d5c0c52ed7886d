/**
 * `conv2dBackpropInput(dy, filter, like, { strides, padding, dilations })`: the gradient of
 * `conv2d(like, filter, ...)` with respect to its input, for an output gradient `dy`: the
 * transpose of the convolution (a "transposed convolution"), shaped like `like`, which only
 * lends its shape. Linear in `dy` and in `filter`.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import { conv2dBackpropInputInto } from '../kernels/conv.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { type Conv2dAttrs, conv2dAttrs, type Conv2dOptions, conv2dShape, convGeometry, convOptions, forEachTap, sameFloatDType, windowLabel } from './_window.js';
import { conv2d } from './conv2d.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';

export const conv2dBackpropInputOp = defineOp<Conv2dAttrs>({
  name: 'conv2dBackpropInput',
  arity: 3,
  attrs: { strides: 'ints', dilations: 'ints', padding: 'string' },
  infer: ([dy, filter, like], attrs) => {
    const expected = conv2dShape(like!, filter!, attrs);
    if (!mayBeSameShape(dy!.shape, expected)) {
      throw new ShapeError(`gradient ${formatShape(dy!.shape)} does not fit the conv2d output ${formatShape(expected)} of input ${formatShape(like!.shape)} and filter ${formatShape(filter!.shape)}`);
    }
    sameFloatDType(dy!, filter!, 'the gradient and the filter');
    return { shape: like!.shape, dtype: dy!.dtype };
  },
  kernel: ([dy, filter, like], attrs, out) => {
    const g = convGeometry(like!.shape, filter!.shape, attrs);
    conv2dBackpropInputInto(dy!.data, filter!.data, out.data, g, new Float64Array(out.data.length));
  },
  reference: ([dy, filter, like], attrs, M, out) => {
    const g = convGeometry(like!.shape, filter!.shape, attrs);
    const dx = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    forEachTap(g, (xAt, yAt, tap) => {
      for (let ci = 0; ci < g.inC; ci++) {
        for (let co = 0; co < g.outC; co++) dx[xAt + ci] = M.add(dx[xAt + ci]!, M.mul(dy!.data[yAt + co]!, filter!.data[(tap * g.inC + ci) * g.outC + co]!));
      }
    });
    return dx;
  },
  // linear in dy (adjoint: conv2d) and in the filter (adjoint: the filter backprop)
  vjp: ({ inputs, attrs, cotangent }) => {
    const [dy, filter] = [inputs[0]!, inputs[1]!];
    return [conv2d(cotangent, filter, convOptions(attrs)), conv2dBackpropFilter(cotangent, dy, filter, convOptions(attrs)), null];
  },
  dot: ({ padding, strides, dilations }) => `conv2dBackpropInput ${windowLabel(padding, { strides, dilations })}`,
});

/**
 * The gradient of `conv2d(like, filter, options)` with respect to `like`, given the output
 * gradient `dy`; `like` only lends its shape. Exported for custom VJPs and transposed
 * convolutions.
 * @example
 * ```ts
 * conv2dBackpropInput(dy, filter, x, { padding: 'same' }).shape; // x.shape
 * ```
 */
export function conv2dBackpropInput(dy: Node, filter: Node, like: Node, options: Conv2dOptions = {}): Node {
  return apply(conv2dBackpropInputOp, [dy, filter, like], conv2dAttrs(options));
}
