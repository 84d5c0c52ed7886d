/**
 * `cast(x, dtype)`: converts elements to another dtype, like `tf.cast`. Float to int32
 * truncates toward zero; as with Int32Array stores, NaN and +-Infinity become 0 and values
 * outside the int32 range wrap around modulo 2^32. float64 to float32 rounds to nearest;
 * int32 to float32 rounds above 2^24.
 * @module
 */
import { apply } from '../apply.js';
import { type DType, isDType, isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';

export const castOp = defineOp<{ dtype: DType }>({
  name: 'cast',
  arity: 1,
  attrs: { dtype: 'dtype' },
  infer: ([x], { dtype }) => {
    if (!isDType(dtype)) throw new DTypeError(`cannot cast to ${JSON.stringify(dtype)}: not a dtype (float32, float64 or int32)`);
    return { shape: x!.shape, dtype };
  },
  // The typed-array store does the conversion: ToInt32 truncates (NaN, Infinity -> 0) and wraps.
  kernel: ([x], _attrs, out) => out.data.set(x!.data),
  reference: ([x], { dtype }, M) =>
    x!.data.map((v) => {
      // A float target keeps the exact value: rounding to float32 is kernel error, not meaning.
      if (isFloat(dtype) || !isFloat(x!.dtype)) return v;
      const t = M.isNaN(v) ? 0 : M.toNumber(M.trunc(v));
      return M.fromNumber(Number.isFinite(t) ? t | 0 : 0);
    }),
  // d cast(x) = cast(dx); nothing flows into or out of int32
  vjp: ({ inputs, output, cotangent }) => {
    const x = inputs[0]!;
    return [isFloat(x.dtype) && isFloat(output.dtype) ? cast(cotangent, x.dtype) : null];
  },
  dot: ({ dtype }) => `cast ${dtype}`,
});

/**
 * Converts `x` to `dtype`; returns `x` itself when it already has that dtype. Float to int32
 * truncates toward zero, NaN and +-Infinity become 0, out-of-range values wrap (Int32Array
 * semantics). Gradients flow between float32 and float64 only.
 * @example
 * ```ts
 * cast(labels, 'float32'); // or labels.cast('float32')
 * cast(x, 'int32');        // [-1.7, 2.9] -> [-1, 2]
 * ```
 */
export function cast(x: Node, dtype: DType): Node {
  if (x.dtype === dtype) return x;
  return apply(castOp, [x], { dtype });
}
