/**
 * What max and average pooling share: Keras' options (`poolSize` default 2, `strides` default
 * `poolSize`, `padding` default `'valid'`), their checks, and the output shape.
 * @module
 */
import type { ConfigReader } from './config-reader.js';
import type { ConfigValue } from './layer.js';
import { imageShape, slidingSize } from './_spatial.js';

/**
 * Options of `maxPooling2d` and `averagePooling2d`, Keras' names.
 * @example
 * ```ts
 * const options: Pooling2dOptions = { poolSize: 2, strides: 2, padding: 'valid' };
 * ```
 */
export interface Pooling2dOptions {
  /** Window size: one number for both axes or `[rows, columns]` (default 2). */
  readonly poolSize?: number | readonly [number, number];
  /** Default: `poolSize`. */
  readonly strides?: number | readonly [number, number];
  /** Default `'valid'`. */
  readonly padding?: 'valid' | 'same';
  readonly name?: string;
}

/**
 * A pooling layer's checked config.
 * @example
 * ```ts
 * maxPooling2d().config; // { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }
 * ```
 */
export interface Pooling2dConfig {
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

/**
 * Reads the pooling options.
 * @example
 * ```ts
 * configurePooling(reader);
 * ```
 */
export function configurePooling(r: ConfigReader): Pooling2dConfig {
  const poolSize = r.pair('poolSize', { default: 2 });
  return { poolSize, strides: r.pair('strides', { default: poolSize }), padding: r.oneOf('padding', ['valid', 'same'] as const, { default: 'valid' }) };
}

/**
 * The config as a file holds it.
 * @example
 * ```ts
 * poolingJSON(maxPooling2d().config); // { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }
 * ```
 */
export function poolingJSON(c: Pooling2dConfig): { readonly [key: string]: ConfigValue } {
  return { poolSize: [...c.poolSize], strides: [...c.strides], padding: c.padding };
}

/**
 * The output shape: each spatial axis slid over, the channels kept.
 * @example
 * ```ts
 * poolingShape(maxPooling2d().config, [6, 6, 8], 'maxPooling2d_2', 'maxPooling2d'); // [3, 3, 8]
 * ```
 */
export function poolingShape(c: Pooling2dConfig, inputShape: readonly number[], where: string, type: string): number[] {
  const [height, width, channels] = imageShape(inputShape, where, type);
  return [
    slidingSize(height, c.poolSize[0], c.strides[0], 1, c.padding, where, 'height'),
    slidingSize(width, c.poolSize[1], c.strides[1], 1, c.padding, where, 'width'),
    channels,
  ];
}
