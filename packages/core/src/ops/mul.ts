/**
 * `mul(a, b)` = a * b, with NumPy broadcasting. Any dtype; int32 products wrap around on
 * overflow (two's complement, computed exactly with `Math.imul`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { binaryKernel } from '../kernels/elementwise.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastBinary, differentiable } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';

const floatMul = binaryKernel((a, b) => a * b);
// A float64 product of two int32 values can exceed 2^53 and lose the low bits the wrap keeps.
const intMul = binaryKernel(Math.imul);

export const mulOp = defineOp({
  name: 'mul',
  traits: ['commutative'],
  arity: 2,
  attrs: {},
  infer: broadcastBinary,
  kernel: (inputs, attrs, out) => (out.dtype === 'int32' ? intMul : floatMul)(inputs, attrs, out),
  // Float only: int32 products wrap (Math.imul), which the fused loops do not do.
  elementwise: { scalar: (a, b) => a * b },
  reference: binaryReference((a, b, M) => M.mul(a, b)),
  // d(a b) = b da + a db
  vjp: ({ inputs, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [
      differentiable(a) ? unbroadcast(cotangent.mul(b), a) : null,
      differentiable(b) ? unbroadcast(cotangent.mul(a), b) : null,
    ];
  },
  dot: () => '*',
});

/**
 * Elementwise a * b with broadcasting; a number takes the other operand's dtype.
 * @example
 * ```ts
 * mul(x, 2); // or x.mul(2)
 * ```
 */
export function mul(a: NodeLike, b: NodeLike): Node {
  return apply(mulOp, [a, b], {});
}
