/**
 * `conv2d(x, filter, { strides, padding, dilations })`: 2-D convolution (cross-correlation, as in
 * Keras and TensorFlow) of an NHWC input `[batch, height, width, inChannels]` with an HWIO filter
 * `[kernelHeight, kernelWidth, inChannels, outChannels]` (Keras' kernel layout), giving
 * `[batch, outHeight, outWidth, outChannels]`. Padding follows Keras: 'valid' keeps only windows
 * inside the input, 'same' gives ceil(in / stride) with the odd padding row/column at the bottom
 * and right. Each output element is summed in float64 and rounded once; padded taps are skipped.
 * @module
 */
import { apply } from '../apply.js';
import { conv2dInto } from '../kernels/conv.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type Conv2dAttrs, conv2dAttrs, type Conv2dOptions, conv2dShape, convGeometry, convOptions, forEachTap, windowLabel } from './_window.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';

export const conv2dOp = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  arity: 2,
  attrs: { strides: 'ints', dilations: 'ints', padding: 'string' },
  infer: ([x, filter], attrs) => ({ shape: conv2dShape(x!, filter!, attrs), dtype: x!.dtype }),
  kernel: ([x, filter], attrs, out) => {
    const g = convGeometry(x!.shape, filter!.shape, attrs);
    conv2dInto(x!.data, filter!.data, out.data, g, new Float64Array(g.outC));
  },
  reference: ([x, filter], attrs, M, out) => {
    const g = convGeometry(x!.shape, filter!.shape, attrs);
    const y = Array.from({ length: out.shape.reduce((a, b) => a * b, 1) }, () => M.fromNumber(0));
    forEachTap(g, (xAt, yAt, tap) => {
      for (let ci = 0; ci < g.inC; ci++) {
        for (let co = 0; co < g.outC; co++) y[yAt + co] = M.add(y[yAt + co]!, M.mul(x!.data[xAt + ci]!, filter!.data[(tap * g.inC + ci) * g.outC + co]!));
      }
    });
    return y;
  },
  // conv2d is bilinear: its adjoints in x and in the filter are the two backprops
  vjp: ({ inputs, attrs, cotangent }) => {
    const [x, filter] = [inputs[0]!, inputs[1]!];
    return [conv2dBackpropInput(cotangent, filter, x, convOptions(attrs)), conv2dBackpropFilter(x, cotangent, filter, convOptions(attrs))];
  },
  dot: ({ padding, strides, dilations }) => `conv2d ${windowLabel(padding, { strides, dilations })}`,
});

/**
 * 2-D convolution of NHWC `x` with an HWIO `filter` (Keras' layout): strides and dilations
 * (one number or `[height, width]`, default 1) and Keras padding ('valid', the default, or
 * 'same'). The batch dimension may be symbolic.
 * @example
 * ```ts
 * const images = input(['batch', 28, 28, 1]);
 * const kernel = param(tensor(weights, { shape: [3, 3, 1, 16] }));
 * conv2d(images, kernel, { padding: 'same' }).shape;             // ['batch', 28, 28, 16]
 * conv2d(images, kernel, { strides: 2, padding: 'valid' }).shape; // ['batch', 13, 13, 16]
 * ```
 */
export function conv2d(x: Node, filter: Node, options: Conv2dOptions = {}): Node {
  return apply(conv2dOp, [x, filter], conv2dAttrs(options));
}
