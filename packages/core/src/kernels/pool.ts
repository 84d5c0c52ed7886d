/**
 * The loops of 2-D max and average pooling (NHWC) and of their gradients. Padding ('same') is
 * never read: a max-pool window takes the largest real cell (as Keras' -Infinity padding, which
 * never wins), an average divides by the number of real cells. A max-pool window's winner is its
 * first maximum in scan order (window row, then column), as TensorFlow and PyTorch choose; a NaN
 * wins over every number (the output is NaN, like `max`), and the first NaN takes the gradient.
 * Sums are accumulated in float64 and rounded once. The interpreter and the compiled backend
 * call these same functions.
 * @module
 */
import type { TypedArray } from '../dtype.js';
import type { WindowGeometry } from '../ops/_window.js';

/**
 * Calls `f(yAt, first, last)` for every output pixel with the window's real rows and columns:
 * rows `[ih0, ih1)`, columns `[iw0, iw1)` (pooling has no dilation, so they are contiguous).
 */
function forEachWindow(g: WindowGeometry, f: (b: number, yAt: number, ih0: number, ih1: number, iw0: number, iw1: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const h = oh * g.sH - g.top;
      const ih0 = Math.max(h, 0);
      const ih1 = Math.min(h + g.kH, g.inH);
      for (let ow = 0; ow < g.outW; ow++) {
        const w = ow * g.sW - g.left;
        f(b, ((b * g.outH + oh) * g.outW + ow) * g.outC, ih0, ih1, Math.max(w, 0), Math.min(w + g.kW, g.inW));
      }
    }
  }
}

/**
 * For every output element of max pooling, the flat index in `x` of its window's winner. The
 * loops run channels innermost (contiguous in NHWC), each channel keeping its own best so far,
 * so every channel still scans its window row by row.
 * @example
 * ```ts
 * maxPoolArgmax(x, poolGeometry(shape, attrs)); // Int32Array, one index per output element
 * ```
 */
export function maxPoolArgmax(x: TypedArray, g: WindowGeometry): Int32Array {
  const C = g.inC;
  const winners = new Int32Array(g.batch * g.outH * g.outW * C);
  const bestValue = new Float64Array(C);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const h = oh * g.sH - g.top;
      const ih0 = Math.max(h, 0);
      const ih1 = Math.min(h + g.kH, g.inH);
      for (let ow = 0; ow < g.outW; ow++) {
        const w = ow * g.sW - g.left;
        const iw0 = Math.max(w, 0);
        const iw1 = Math.min(w + g.kW, g.inW);
        const yAt = ((b * g.outH + oh) * g.outW + ow) * C;
        let first = true;
        for (let ih = ih0; ih < ih1; ih++) {
          for (let iw = iw0; iw < iw1; iw++) {
            const at = ((b * g.inH + ih) * g.inW + iw) * C;
            if (first) {
              for (let c = 0; c < C; c++) {
                winners[yAt + c] = at + c;
                bestValue[c] = x[at + c]!;
              }
              first = false;
              continue;
            }
            for (let c = 0; c < C; c++) {
              const v = x[at + c]!;
              const best = bestValue[c]!;
              // Strictly greater keeps the first maximum; a NaN wins once and then nothing beats it.
              if (v > best || (v !== v && best === best)) {
                winners[yAt + c] = at + c;
                bestValue[c] = v;
              }
            }
          }
        }
      }
    }
  }
  return winners;
}

/**
 * Max pooling: `out[i] = x[winner i]`.
 * @example
 * ```ts
 * maxPoolInto(x, out, geometry);
 * ```
 */
export function maxPoolInto(x: TypedArray, out: TypedArray, g: WindowGeometry): void {
  const winners = maxPoolArgmax(x, g);
  for (let i = 0; i < winners.length; i++) out[i] = x[winners[i]!]!;
}

/**
 * The gradient of max pooling: each `dy[i]` is added to its window's winner in zeros shaped
 * like x (windows overlap when strides are smaller than the pool). `acc` is a float64 scratch
 * as long as `out`.
 * @example
 * ```ts
 * maxPoolGradInto(dy, x, dx, geometry, new Float64Array(dx.length));
 * ```
 */
export function maxPoolGradInto(dy: TypedArray, x: TypedArray, out: TypedArray, g: WindowGeometry, acc: Float64Array): void {
  const winners = maxPoolArgmax(x, g);
  acc.fill(0, 0, out.length);
  for (let i = 0; i < winners.length; i++) acc[winners[i]!]! += dy[i]!;
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}

/**
 * The adjoint of the max-pool gradient (in its gradient argument): picks `g` at each window's
 * winner, `out[i] = g[winner i]`.
 * @example
 * ```ts
 * maxPoolGradGradInto(g, x, out, geometry); // out shaped like the pooled output
 * ```
 */
export function maxPoolGradGradInto(gx: TypedArray, x: TypedArray, out: TypedArray, g: WindowGeometry): void {
  const winners = maxPoolArgmax(x, g);
  for (let i = 0; i < winners.length; i++) out[i] = gx[winners[i]!]!;
}

/**
 * Average pooling over the real cells of each window (channels innermost; each channel's cells
 * summed in scan order in float64, divided once).
 * @example
 * ```ts
 * avgPoolInto(x, out, geometry);
 * ```
 */
export function avgPoolInto(x: TypedArray, out: TypedArray, g: WindowGeometry): void {
  const C = g.inC;
  const sums = new Float64Array(C);
  forEachWindow(g, (b, yAt, ih0, ih1, iw0, iw1) => {
    sums.fill(0);
    for (let ih = ih0; ih < ih1; ih++) {
      for (let iw = iw0; iw < iw1; iw++) {
        const at = ((b * g.inH + ih) * g.inW + iw) * C;
        for (let c = 0; c < C; c++) sums[c]! += x[at + c]!;
      }
    }
    const count = (ih1 - ih0) * (iw1 - iw0);
    for (let c = 0; c < C; c++) out[yAt + c] = sums[c]! / count;
  });
}

/**
 * The gradient of average pooling: each `dy[i] / count` is added to every real cell of its
 * window. `acc` is a float64 scratch as long as `out`.
 * @example
 * ```ts
 * avgPoolGradInto(dy, dx, geometry, new Float64Array(dx.length));
 * ```
 */
export function avgPoolGradInto(dy: TypedArray, out: TypedArray, g: WindowGeometry, acc: Float64Array): void {
  const C = g.inC;
  const shares = new Float64Array(C);
  acc.fill(0, 0, out.length);
  forEachWindow(g, (b, yAt, ih0, ih1, iw0, iw1) => {
    const count = (ih1 - ih0) * (iw1 - iw0);
    for (let c = 0; c < C; c++) shares[c] = dy[yAt + c]! / count;
    for (let ih = ih0; ih < ih1; ih++) {
      for (let iw = iw0; iw < iw1; iw++) {
        const at = ((b * g.inH + ih) * g.inW + iw) * C;
        for (let c = 0; c < C; c++) acc[at + c]! += shares[c]!;
      }
    }
  });
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}

/**
 * The windows of pooling as lists of flat input indices (real cells only, in scan order), one
 * per output element: what the references walk.
 * @example
 * ```ts
 * poolWindows(geometry)[0]; // [0, 3, 12, 15] for a 2x2 window over 3 channels of width 4
 * ```
 */
export function poolWindows(g: WindowGeometry): number[][] {
  const windows: number[][] = [];
  forEachWindow(g, (b, yAt, ih0, ih1, iw0, iw1) => {
    for (let c = 0; c < g.inC; c++) {
      const cells: number[] = [];
      for (let ih = ih0; ih < ih1; ih++) for (let iw = iw0; iw < iw1; iw++) cells.push(((b * g.inH + ih) * g.inW + iw) * g.inC + c);
      windows[yAt + c] = cells;
    }
  });
  return windows;
}
