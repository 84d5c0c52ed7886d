/**
 * The loops of conv2d (NHWC input, HWIO filter) and of its two transposes, the gradients with
 * respect to the input and to the filter. Every output element is accumulated in float64 and
 * rounded once; taps that fall on padding are skipped (they add nothing, even against an
 * infinite filter weight). The interpreter's kernels and the compiled backend's float64 steps
 * call these same functions, so both give the same bits.
 * @module
 */
import type { TypedArray } from '../dtype.js';
import type { WindowGeometry } from '../ops/_window.js';

/**
 * `out[b, oh, ow, co] = sum over taps and ci of x[b, ih, iw, ci] * filter[ky, kx, ci, co]`,
 * summed in tap order, then input channel. `acc` is a float64 scratch of `outC` elements.
 * @example
 * ```ts
 * conv2dInto(x, filter, out, convGeometry(xShape, filterShape, attrs), new Float64Array(outC));
 * ```
 */
export function conv2dInto(x: TypedArray, filter: TypedArray, out: TypedArray, g: WindowGeometry, acc: Float64Array): void {
  const { inC, outC } = g;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        acc.fill(0, 0, outC);
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (iw < 0 || iw >= g.inW) continue;
            const xAt = ((b * g.inH + ih) * g.inW + iw) * inC;
            const fAt = (ky * g.kW + kx) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              const xv = x[xAt + ci]!;
              const row = fAt + ci * outC;
              for (let co = 0; co < outC; co++) acc[co]! += xv * filter[row + co]!;
            }
          }
        }
        const yAt = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let co = 0; co < outC; co++) out[yAt + co] = acc[co]!;
      }
    }
  }
}

/**
 * The gradient of conv2d with respect to its input: each output gradient `dy[b, oh, ow, :]`
 * flows back through the filter to the pixels its window read, `dx[b, ih, iw, ci] += sum over co
 * of dy[b, oh, ow, co] * filter[ky, kx, ci, co]`. `acc` is a float64 scratch as long as `out`.
 * @example
 * ```ts
 * conv2dBackpropInputInto(dy, filter, dx, geometry, new Float64Array(dx.length));
 * ```
 */
export function conv2dBackpropInputInto(dy: TypedArray, filter: TypedArray, out: TypedArray, g: WindowGeometry, acc: Float64Array): void {
  const { inC, outC } = g;
  acc.fill(0, 0, out.length);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const yAt = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (iw < 0 || iw >= g.inW) continue;
            const xAt = ((b * g.inH + ih) * g.inW + iw) * inC;
            const fAt = (ky * g.kW + kx) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              const row = fAt + ci * outC;
              let s = 0;
              for (let co = 0; co < outC; co++) s += dy[yAt + co]! * filter[row + co]!;
              acc[xAt + ci]! += s;
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}

/**
 * The gradient of conv2d with respect to its filter: `dfilter[ky, kx, ci, co] = sum over b, oh,
 * ow of x[b, ih, iw, ci] * dy[b, oh, ow, co]`. `acc` is a float64 scratch as long as `out`.
 * @example
 * ```ts
 * conv2dBackpropFilterInto(x, dy, dFilter, geometry, new Float64Array(dFilter.length));
 * ```
 */
export function conv2dBackpropFilterInto(x: TypedArray, dy: TypedArray, out: TypedArray, g: WindowGeometry, acc: Float64Array): void {
  const { inC, outC } = g;
  acc.fill(0, 0, out.length);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const yAt = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (iw < 0 || iw >= g.inW) continue;
            const xAt = ((b * g.inH + ih) * g.inW + iw) * inC;
            const fAt = (ky * g.kW + kx) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              const xv = x[xAt + ci]!;
              const row = fAt + ci * outC;
              for (let co = 0; co < outC; co++) acc[row + co]! += xv * dy[yAt + co]!;
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}
