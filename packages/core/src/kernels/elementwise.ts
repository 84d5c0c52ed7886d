/**
 * The kernel of an elementwise op, made from its scalar function: one loop over the output that
 * applies the function to the elements each input broadcasts to that position. The fused loops
 * of the compiled backend call the same function, so an op's result does not depend on the
 * backend.
 * @module
 */
import type { Tensor } from '../tensor.js';
import { broadcastIndex } from './indexing.js';

/** A kernel in the form of `OpDef.kernel`. */
type Kernel = (inputs: readonly Tensor[], attrs: unknown, out: Tensor) => void;

/**
 * The kernel that applies `f` elementwise to `arity` (1 to 3) broadcast inputs, writing into
 * the output's buffer (float64 arithmetic, rounded once by the store).
 * @example
 * ```ts
 * const expKernel = elementwiseKernel(Math.exp, 1);
 * ```
 */
export function elementwiseKernel(f: (...args: number[]) => number, arity: number): Kernel {
  if (arity === 1) return unaryKernel(f);
  if (arity === 2) return binaryKernel(f);
  if (arity === 3) return ternaryKernel(f);
  throw new TypeError(`an elementwise op takes 1 to 3 inputs, not ${arity}`);
}

/** `f` of every element of one input (same shape as the output). */
export function unaryKernel(f: (x: number) => number): Kernel {
  return (inputs, _attrs, out) => {
    const x = inputs[0]!.data;
    const y = out.data;
    for (let i = 0; i < y.length; i++) y[i] = f(x[i]!);
  };
}

/** `f` of two broadcast inputs, with loops of their own for the common equal-size and scalar cases. */
export function binaryKernel(f: (a: number, b: number) => number): Kernel {
  return (inputs, _attrs, out) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    const y = out.data;
    const size = y.length;
    const ad = a.data;
    const bd = b.data;
    if (ad.length === size && bd.length === size) {
      for (let i = 0; i < size; i++) y[i] = f(ad[i]!, bd[i]!);
    } else if (ad.length === size && bd.length === 1) {
      const s = bd[0]!;
      for (let i = 0; i < size; i++) y[i] = f(ad[i]!, s);
    } else if (ad.length === 1 && bd.length === size) {
      const s = ad[0]!;
      for (let i = 0; i < size; i++) y[i] = f(s, bd[i]!);
    } else {
      const ia = broadcastIndex(a.shape, out.shape);
      const ib = broadcastIndex(b.shape, out.shape);
      for (let i = 0; i < size; i++) y[i] = f(ad[ia[i]!]!, bd[ib[i]!]!);
    }
  };
}

/** `f` of three broadcast inputs, with a loop of its own for two full inputs and a scalar third. */
export function ternaryKernel(f: (a: number, b: number, c: number) => number): Kernel {
  return (inputs, _attrs, out) => {
    const [a, b, c] = [inputs[0]!, inputs[1]!, inputs[2]!];
    const y = out.data;
    const size = y.length;
    const [ad, bd, cd] = [a.data, b.data, c.data];
    if (ad.length === size && bd.length === size && cd.length === 1) {
      const s = cd[0]!;
      for (let i = 0; i < size; i++) y[i] = f(ad[i]!, bd[i]!, s);
      return;
    }
    const [ia, ib, ic] = [a, b, c].map((t) => broadcastIndex(t.shape, out.shape)) as [Int32Array, Int32Array, Int32Array];
    for (let i = 0; i < size; i++) y[i] = f(ad[ia[i]!]!, bd[ib[i]!]!, cd[ic[i]!]!);
  };
}
