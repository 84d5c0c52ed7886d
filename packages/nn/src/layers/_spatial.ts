/**
 * The spatial arithmetic convolution and pooling layers share, Keras' (TensorFlow's): the output
 * size of a window sliding over an axis, with `'valid'` or `'same'` padding.
 * @module
 */
import { ModelError } from '../errors.js';

/**
 * The output size along one axis: `'valid'` is `floor((size - k') / stride) + 1`, `'same'` is
 * `ceil(size / stride)`, with `k' = (window - 1) * dilation + 1`. A window larger than a
 * `'valid'` input is a ModelError naming the layer.
 * @example
 * ```ts
 * slidingSize(8, 3, 1, 1, 'valid', 'conv2d_1', 'height'); // 6
 * slidingSize(7, 2, 2, 1, 'same', 'maxPooling2d_2', 'width'); // 4
 * ```
 */
export function slidingSize(size: number, window: number, stride: number, dilation: number, padding: 'valid' | 'same', where: string, axis: string): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const span = (window - 1) * dilation + 1;
  if (span > size) {
    throw new ModelError(`${where}: a window of ${span} (${window} with dilation ${dilation}) does not fit the input's ${axis} of ${size} with padding 'valid'; use padding 'same' or a smaller window`);
  }
  return Math.floor((size - span) / stride) + 1;
}

/**
 * Checks that an input is `[height, width, channels]` (per example, NHWC) and returns it.
 * @example
 * ```ts
 * imageShape([8, 8, 1], 'conv2d_1', 'conv2d'); // [8, 8, 1]
 * ```
 */
export function imageShape(inputShape: readonly number[], where: string, type: string): [number, number, number] {
  if (inputShape.length !== 3) {
    throw new ModelError(`${where}: ${type} expects inputs of shape [batch, height, width, channels], got [batch, ${inputShape.join(', ')}]; for 64 pixels use inputShape [8, 8, 1] or put layers.reshape({ targetShape: [8, 8, 1] }) first`);
  }
  return [inputShape[0]!, inputShape[1]!, inputShape[2]!];
}
