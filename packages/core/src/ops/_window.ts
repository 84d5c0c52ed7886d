/**
 * Sliding-window geometry shared by the NHWC convolution and pooling ops: attribute checks,
 * Keras/TF output sizes and padding ('valid' and 'same', the extra padding on the bottom and
 * right), and the concrete geometry their kernels and references walk. Kept apart from the op
 * files so that conv2d, its two backprops and the four pooling ops agree on one arithmetic.
 * @module
 */
import { requireFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { TypeInfo } from '../op.js';
import { type ConcreteShape, type Dim, formatShape, MAX_DIM, type Shape } from '../shape.js';

/**
 * How a window treats the borders: `valid` (no padding) or `same` (pad so out = ceil(in / stride)).
 * @example
 * ```ts
 * const padding: Padding = 'same';
 * conv2d(x, filter, { padding });
 * ```
 */
export type Padding = 'valid' | 'same';

/**
 * Attributes of conv2d and its backprops as stored on the node: `[h, w]` pairs and the padding.
 * @example
 * ```ts
 * conv2d(x, filter, { strides: 2, padding: 'same' }).attrs; // { strides: [2, 2], dilations: [1, 1], padding: 'same' }
 * ```
 */
export type Conv2dAttrs = { strides: readonly number[]; dilations: readonly number[]; padding: string };

/**
 * Attributes of the pooling ops and their gradients as stored on the node: `[h, w]` pairs and the padding.
 * @example
 * ```ts
 * maxPool2d(x, { poolSize: 2 }).attrs; // { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }
 * ```
 */
export type Pool2dAttrs = { poolSize: readonly number[]; strides: readonly number[]; padding: string };

/**
 * A size given as one number for both spatial axes, or as `[height, width]`.
 * @example
 * ```ts
 * const strides: SpatialPair = [2, 1]; // 2 down, 1 across
 * ```
 */
export type SpatialPair = number | readonly [number, number];

/**
 * The options of `conv2d` and its backprops.
 * @example
 * ```ts
 * const options: Conv2dOptions = { strides: [2, 2], padding: 'same', dilations: 1 };
 * conv2d(x, filter, options);
 * ```
 */
export interface Conv2dOptions {
  /** Step between windows, `[h, w]` or one number for both (default 1). */
  readonly strides?: SpatialPair;
  /** 'valid' (default) or 'same', with Keras' arithmetic. */
  readonly padding?: Padding;
  /** Spacing between the filter's taps (atrous convolution), default 1. */
  readonly dilations?: SpatialPair;
}

/**
 * The options of the pooling ops and their gradients.
 * @example
 * ```ts
 * const options: Pool2dOptions = { poolSize: 3, strides: 2, padding: 'same' };
 * maxPool2d(x, options);
 * ```
 */
export interface Pool2dOptions {
  /** Window size, `[h, w]` or one number for both. */
  readonly poolSize: SpatialPair;
  /** Step between windows (default: the pool size). */
  readonly strides?: SpatialPair;
  /** 'valid' (default) or 'same', with Keras' arithmetic. */
  readonly padding?: Padding;
}

/** `[v, v]` for a number, a copy of a pair otherwise (checked later, by the shape rule). */
export function spatialPair(value: number | readonly number[]): number[] {
  return typeof value === 'number' ? [value, value] : [...value];
}

/** Conv2d attributes from the builder's options. */
export function conv2dAttrs(options: Conv2dOptions): Conv2dAttrs {
  return { strides: spatialPair(options.strides ?? 1), dilations: spatialPair(options.dilations ?? 1), padding: options.padding ?? 'valid' };
}

/** Conv2d options from attributes the shape rule has checked (for VJPs that build convolutions). */
export function convOptions(attrs: Conv2dAttrs): Conv2dOptions {
  return attrs as unknown as Conv2dOptions;
}

/** Pooling options from attributes the shape rule has checked (for VJPs that build pooling ops). */
export function poolOptions(attrs: Pool2dAttrs): Pool2dOptions {
  return attrs as unknown as Pool2dOptions;
}

/** Pooling attributes from the builder's options (strides default to the pool size). */
export function pool2dAttrs(options: Pool2dOptions): Pool2dAttrs {
  // A missing options object would otherwise fail deep inside with a TypeError.
  if (typeof options !== 'object' || options === null) throw new ShapeError('pooling needs options with a poolSize, e.g. { poolSize: 2 }');
  const poolSize = spatialPair(options.poolSize);
  return { poolSize, strides: spatialPair(options.strides ?? options.poolSize), padding: options.padding ?? 'valid' };
}

/** Checks an `[h, w]` attribute: two integers in [1, MAX_DIM]. */
export function checkPair(values: readonly number[], what: string): void {
  const ok = Array.isArray(values) && values.length === 2 && values.every((v) => Number.isInteger(v) && v >= 1 && v <= MAX_DIM);
  if (!ok) throw new ShapeError(`${what} must be two integers in [1, ${MAX_DIM}] ([height, width], or one number for both), got ${JSON.stringify(values)}`);
}

/** Checks the padding attribute. */
export function checkPadding(padding: string): asserts padding is Padding {
  if (padding !== 'valid' && padding !== 'same') {
    const shown = typeof padding === 'string' ? JSON.stringify(padding.length > 40 ? `${padding.slice(0, 40)}...` : padding) : String(padding);
    throw new ShapeError(`padding must be 'valid' or 'same', got ${shown}`);
  }
}

/** Checks that `t` is a float NHWC tensor (rank 4); `what` names it in messages. */
export function requireNhwc(t: TypeInfo, what: string): void {
  if (t.shape.length !== 4) throw new ShapeError(`${what} must have rank 4 (NHWC: [batch, height, width, channels]), got ${formatShape(t.shape)}`);
  requireFloat(t.dtype, what);
}

/** Throws unless `a` and `b` have the same dtype. */
export function sameFloatDType(a: TypeInfo, b: TypeInfo, names: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${names} have different dtypes (${a.dtype} vs ${b.dtype}); cast one of them`);
}

/** Extent of a dilated window: (k - 1) * dilation + 1. */
function extent(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/**
 * Output size and leading padding along one axis (Keras/TF): 'same' gives ceil(in / stride) with
 * total padding max((out - 1) * stride + extent - in, 0), the odd one on the far side; 'valid'
 * gives floor((in - extent) / stride) + 1. Null `out` when the window does not fit ('valid').
 */
export function axisWindow(size: number, k: number, stride: number, dilation: number, padding: Padding): { out: number; before: number } | null {
  const span = extent(k, dilation);
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  if (size < span) return null;
  return { out: Math.floor((size - span) / stride) + 1, before: 0 };
}

/**
 * Static output size along one spatial axis; a symbolic size stays symbolic only where it is
 * kept ('same' with stride 1), else it is unknown (null) until run time.
 */
function outDim(size: Dim, k: Dim, stride: number, dilation: number, padding: Padding, axis: string, shapes: string): Dim {
  if (typeof size === 'number' && typeof k === 'number') {
    const w = axisWindow(size, k, stride, dilation, padding);
    if (w === null) {
      throw new ShapeError(`the window's ${axis} (${extent(k, dilation)}: size ${k}, dilation ${dilation}) is larger than the input's ${axis} ${size} with 'valid' padding (${shapes}); use padding 'same' or a smaller window`);
    }
    return w.out;
  }
  return padding === 'same' && stride === 1 ? size : null;
}

/** NHWC output shape of a window of size `[kH, kW]` over `x`, with `channels` output channels. */
export function windowShape(x: Shape, k: readonly [Dim, Dim], strides: readonly number[], dilations: readonly number[], padding: Padding, channels: Dim, shapes: string): Dim[] {
  return [
    x[0]!,
    outDim(x[1]!, k[0], strides[0]!, dilations[0]!, padding, 'height', shapes),
    outDim(x[2]!, k[1], strides[1]!, dilations[1]!, padding, 'width', shapes),
    channels,
  ];
}

/** Shape rule of conv2d: checks everything and returns the output shape. */
export function conv2dShape(x: TypeInfo, filter: TypeInfo, { strides, dilations, padding }: Conv2dAttrs): Dim[] {
  checkPair(strides, 'strides');
  checkPair(dilations, 'dilations');
  checkPadding(padding);
  requireNhwc(x, 'the input');
  if (filter.shape.length !== 4) {
    throw new ShapeError(`the filter must have rank 4 ([kernelHeight, kernelWidth, inChannels, outChannels], HWIO as Keras), got ${formatShape(filter.shape)}`);
  }
  sameFloatDType(x, filter, 'the input and the filter');
  const shapes = `input ${formatShape(x.shape)}, filter ${formatShape(filter.shape)}`;
  if (filter.shape.slice(0, 2).some((d) => d === 0)) throw new ShapeError(`the filter's kernel size must be at least 1x1 (${shapes})`);
  const [inC, fC] = [x.shape[3]!, filter.shape[2]!];
  if (typeof inC === 'number' && typeof fC === 'number' && inC !== fC) {
    throw new ShapeError(`the input has ${inC} channels but the filter expects ${fC} (${shapes}; the filter is [kernelHeight, kernelWidth, inChannels, outChannels])`);
  }
  return windowShape(x.shape, [filter.shape[0]!, filter.shape[1]!], strides, dilations, padding, filter.shape[3]!, shapes);
}

/** Shape rule of the pooling ops: checks everything and returns the output shape. */
export function pool2dShape(x: TypeInfo, { poolSize, strides, padding }: Pool2dAttrs): Dim[] {
  checkPair(poolSize, 'poolSize');
  checkPair(strides, 'strides');
  checkPadding(padding);
  requireNhwc(x, 'the input');
  const shapes = `input ${formatShape(x.shape)}, poolSize ${JSON.stringify(poolSize)}`;
  return windowShape(x.shape, [poolSize[0]!, poolSize[1]!], strides, [1, 1], padding, x.shape[3]!, shapes);
}

/**
 * Everything a window kernel needs, from concrete shapes: input `[batch, inH, inW, inC]`,
 * output `[batch, outH, outW, outC]`, window `kH x kW` with strides, dilations and the leading
 * padding (`top`, `left`).
 */
export interface WindowGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly sH: number;
  readonly sW: number;
  readonly dH: number;
  readonly dW: number;
  readonly top: number;
  readonly left: number;
}

/** The geometry of a window of `[kH, kW]` over input shape `x`, giving `outC` channels. */
export function windowGeometry(
  x: ConcreteShape, k: readonly number[], strides: readonly number[], dilations: readonly number[], padding: string, outC: number,
): WindowGeometry {
  checkPadding(padding);
  const [batch, inH, inW, inC] = x as [number, number, number, number];
  const [kH, kW] = k as [number, number];
  const [sH, sW] = strides as [number, number];
  const [dH, dW] = dilations as [number, number];
  const h = axisWindow(inH, kH, sH, dH, padding);
  const w = axisWindow(inW, kW, sW, dW, padding);
  // The shape rule ran on these shapes before any kernel does.
  if (h === null || w === null) throw new ShapeError(`window does not fit input ${formatShape(x)}`);
  return { batch, inH, inW, inC, outH: h.out, outW: w.out, outC, kH, kW, sH, sW, dH, dW, top: h.before, left: w.before };
}

/** Geometry of conv2d (and its backprops) from the input and filter shapes. */
export function convGeometry(x: ConcreteShape, filter: ConcreteShape, { strides, dilations, padding }: Conv2dAttrs): WindowGeometry {
  return windowGeometry(x, [filter[0]!, filter[1]!], strides, dilations, padding, filter[3]!);
}

/** Geometry of a pooling op from its input shape. */
export function poolGeometry(x: ConcreteShape, { poolSize, strides, padding }: Pool2dAttrs): WindowGeometry {
  return windowGeometry(x, poolSize, strides, [1, 1], padding, x[3]!);
}

/**
 * Calls `f` for every tap of every window that lands inside the input, in the kernels' order:
 * batch, output row, output column, window row, window column. `xAt` is the flat NHWC offset
 * of the input pixel (channel 0), `yAt` of the output pixel, `tap` the window position
 * `ky * kW + kx`. For references and tests; kernels inline the same loops.
 */
export function forEachTap(g: WindowGeometry, f: (xAt: number, yAt: number, tap: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const yAt = ((b * g.outH + oh) * g.outW + ow) * g.outC;
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (iw < 0 || iw >= g.inW) continue;
            f(((b * g.inH + ih) * g.inW + iw) * g.inC, yAt, ky * g.kW + kx);
          }
        }
      }
    }
  }
}

/** A readable summary of window attributes for DOT labels: `same strides [2, 2]`. */
export function windowLabel(padding: string, pairs: { readonly [name: string]: readonly number[] }): string {
  const extra = Object.entries(pairs).filter(([, v]) => v.some((x) => x !== 1)).map(([name, v]) => ` ${name} ${v.join('x')}`);
  return `${padding}${extra.join('')}`;
}
