/**
 * `matmul(a, b)`: matrix product over the last two axes, `[..., m, k] @ [..., k, n] -> [..., m, n]`,
 * with NumPy broadcasting of the leading (batch) axes. Both operands need rank >= 2. Each dot
 * product is accumulated in float64 and rounded once.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { matmulInto } from '../kernels/matmul.js';
import { defineOp } from '../op.js';
import { broadcastShapes, type ConcreteShape, formatShape } from '../shape.js';
import { broadcastIndex } from '../kernels/indexing.js';
import { sameDType } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { transpose } from './transpose.js';

/** For each output matrix, the matrix of `a` and of `b` it multiplies, and the sizes m, k, n. */
function plan(a: ConcreteShape, b: ConcreteShape, out: ConcreteShape) {
  const batch = out.slice(0, -2);
  return {
    ia: broadcastIndex(a.slice(0, -2), batch),
    ib: broadcastIndex(b.slice(0, -2), batch),
    m: a[a.length - 2]!,
    k: a[a.length - 1]!,
    n: b[b.length - 1]!,
  };
}

/** Swaps the last two axes. */
function transposeLast(x: Node): Node {
  const r = x.shape.length;
  return transpose(x, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

export const matmulOp = defineOp({
  name: 'matmul',
  arity: 2,
  attrs: {},
  infer: ([a, b]) => {
    const dtype = sameDType([a!, b!]);
    const [sa, sb] = [a!.shape, b!.shape];
    if (sa.length < 2 || sb.length < 2) {
      throw new ShapeError(
        `both operands need rank >= 2, got ${formatShape(sa)} @ ${formatShape(sb)}; ` +
          'reshape a vector to a row [1, n] or a column [n, 1] first (x.reshape([1, -1]) or x.reshape([-1, 1]))',
      );
    }
    const k1 = sa[sa.length - 1]!;
    const k2 = sb[sb.length - 2]!;
    if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
      throw new ShapeError(`inner dimensions differ: ${formatShape(sa)} @ ${formatShape(sb)} (${k1} vs ${k2})`);
    }
    let batch;
    try {
      batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
    } catch {
      throw new ShapeError(`batch dimensions do not broadcast: ${formatShape(sa)} @ ${formatShape(sb)}`);
    }
    return { shape: [...batch, sa[sa.length - 2]!, sb[sb.length - 1]!], dtype };
  },
  kernel: ([a, b], _attrs, out) => {
    const { ia, ib, m, k, n } = plan(a!.shape, b!.shape, out.shape);
    const rows = new Float64Array(4 * n);
    for (let t = 0; t < ia.length; t++) {
      const aMatrix = a!.data.subarray(ia[t]! * m * k, (ia[t]! + 1) * m * k);
      const bMatrix = b!.data.subarray(ib[t]! * k * n, (ib[t]! + 1) * k * n);
      matmulInto(aMatrix, bMatrix, out.data.subarray(t * m * n, (t + 1) * m * n), m, k, n, false, false, rows);
    }
  },
  reference: ([a, b], _attrs, M, out) => {
    const { ia, ib, m, k, n } = plan(a!.shape, b!.shape, out.shape);
    const y = [];
    for (let t = 0; t < ia.length; t++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = M.fromNumber(0);
          for (let p = 0; p < k; p++) acc = M.add(acc, M.mul(a!.data[ia[t]! * m * k + i * k + p]!, b!.data[ib[t]! * k * n + p * n + j]!));
          y.push(acc);
        }
      }
    }
    return y;
  },
  // d(a @ b) = da @ b + a @ db: ct -> [ct @ b^T, a^T @ ct], summed over broadcast batch axes
  vjp: ({ inputs, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [unbroadcast(matmul(cotangent, transposeLast(b)), a), unbroadcast(matmul(transposeLast(a), cotangent), b)];
  },
  dot: () => 'matmul',
});

/**
 * Matrix product of the last two axes, batched over broadcast leading axes.
 * @example
 * ```ts
 * const x = input(['batch', 3]);
 * const W = param(tensor([[1], [2], [3]]));
 * x.matmul(W).shape; // [batch, 1]
 * ```
 */
export function matmul(a: Node, b: Node): Node {
  return apply(matmulOp, [a, b], {});
}
