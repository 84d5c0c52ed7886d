/**
 * Patch matrices for convolutions as matrix products (im2col): each output pixel's window,
 * `kH * kW * inC` input values in tap order then channel (the filter's HWIO row order), as one
 * row; taps on padding are zeros. `conv2d = patches @ filter`, `dFilter = patches^T @ dy` and
 * `dPatches = dy @ filter^T` then run on the SIMD matmul; `col2imAdd` adds patch gradients back
 * into the input's layout.
 * @module
 */
import type { WindowGeometry } from '@stablegrad/core/kernels';

/**
 * Writes the patch matrix `[batch * outH * outW, kH * kW * inC]` of `x` into `patches`.
 * @example
 * ```ts
 * im2col(x, geometry, patches); // then patches @ filter is the convolution
 * ```
 */
export function im2col(x: ArrayLike<number>, g: WindowGeometry, patches: Float32Array): void {
  const { inC } = g;
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) {
              patches.fill(0, row, row + inC);
            } else {
              const at = ((b * g.inH + ih) * g.inW + iw) * inC;
              for (let c = 0; c < inC; c++) patches[row + c] = x[at + c]!;
            }
            row += inC;
          }
        }
      }
    }
  }
}

/**
 * Adds the patch gradients `[batch * outH * outW, kH * kW * inC]` back where im2col read them:
 * `out` (the input's shape) gets the sums, accumulated in float64 (`acc`, as long as out) and
 * rounded once; taps on padding are dropped.
 * @example
 * ```ts
 * col2imAdd(dPatches, geometry, new Float64Array(dx.length), dx);
 * ```
 */
export function col2imAdd(patches: Float32Array, g: WindowGeometry, acc: Float64Array, out: Float32Array): void {
  const { inC } = g;
  acc.fill(0);
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        for (let ky = 0; ky < g.kH; ky++) {
          const ih = oh * g.sH - g.top + ky * g.dH;
          for (let kx = 0; kx < g.kW; kx++) {
            const iw = ow * g.sW - g.left + kx * g.dW;
            if (ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW) {
              const at = ((b * g.inH + ih) * g.inW + iw) * inC;
              for (let c = 0; c < inC; c++) acc[at + c]! += patches[row + c]!;
            }
            row += inC;
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}
