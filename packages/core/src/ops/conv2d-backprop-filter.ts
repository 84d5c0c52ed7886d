/**
 * `conv2dBackpropFilter(x, dy, like, { strides, padding, dilations })`: the gradient of
 * `conv2d(x, like, ...)` with respect to its filter, for an output gradient `dy`, shaped like
 * `like` (the filter, which only lends its shape). Linear in `x` and in `dy`.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import { conv2dBackpropFilterInto } from '../kernels/conv.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { type Conv2dAttrs, conv2dAttrs, type Conv2dOptions, conv2dShape, convGeometry, convOptions, forEachTap, sameFloatDType, windowLabel } from './_window.js';
import { conv2d } from './conv2d.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';

export const conv2dBackpropFilterOp = defineOp<Conv2dAttrs>({
  name: 'conv2dBackpropFilter',
  arity: 3,
  attrs: { strides: 'ints', dilations: 'ints', padding: 'string' },
  infer: ([x, dy, like], attrs) => {
    const expected = conv2dShape(x!, like!, attrs);
    if (!mayBeSameShape(dy!.shape, expected)) {
      throw new ShapeError(`gradient ${formatShape(dy!.shape)} does not fit the conv2d output ${formatShape(expected)} of input ${formatShape(x!.shape)} and filter ${formatShape(like!.shape)}`);
    }
    sameFloatDType(x!, dy!, 'the input and the gradient');
    return { shape: like!.shape, dtype: x!.dtype };
  },
  kernel: ([x, dy, like], attrs, out) => {
    const g = convGeometry(x!.shape, like!.shape, attrs);
    conv2dBackpropFilterInto(x!.data, dy!.data, out.data, g, new Float64Array(out.data.length));
  },
  reference: ([x, dy, like], attrs, M, out) => {
    const g = convGeometry(x!.shape, like!.shape, attrs);
    const df = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    forEachTap(g, (xAt, yAt, tap) => {
      for (let ci = 0; ci < g.inC; ci++) {
        for (let co = 0; co < g.outC; co++) {
          const at = (tap * g.inC + ci) * g.outC + co;
          df[at] = M.add(df[at]!, M.mul(x!.data[xAt + ci]!, dy!.data[yAt + co]!));
        }
      }
    });
    return df;
  },
  // linear in x (adjoint: the input backprop) and in dy (adjoint: conv2d with the cotangent as filter)
  vjp: ({ inputs, attrs, cotangent }) => {
    const [x, dy] = [inputs[0]!, inputs[1]!];
    return [conv2dBackpropInput(dy, cotangent, x, convOptions(attrs)), conv2d(x, cotangent, convOptions(attrs)), null];
  },
  dot: ({ padding, strides, dilations }) => `conv2dBackpropFilter ${windowLabel(padding, { strides, dilations })}`,
});

/**
 * The gradient of `conv2d(x, like, options)` with respect to the filter `like`, given the output
 * gradient `dy`; `like` only lends its shape. Exported for custom VJPs.
 * @example
 * ```ts
 * conv2dBackpropFilter(x, dy, filter, { strides: 2 }).shape; // filter.shape
 * ```
 */
export function conv2dBackpropFilter(x: Node, dy: Node, like: Node, options: Conv2dOptions = {}): Node {
  return apply(conv2dBackpropFilterOp, [x, dy, like], conv2dAttrs(options));
}
