/**
 * Pass 2, fold transposes: a 2-D transpose read only by matmuls that the 2-D matmul kernel runs
 * is never made; those matmuls read its input transposed (`x^T g`, `g W^T` of a backward pass).
 * @module
 */
import type { Node } from '@stablegrad/core';
import type { Schedule } from './schedule.js';
import { isMatmul2d } from './kernels/matmul.js';

/**
 * Positions of the transposes folded into their readers. Only a swap of the two axes folds:
 * `transpose(x, [0, 1])` is the identity, which a matmul must read as it is. An output, or a
 * transpose something else also reads, is made.
 * @example
 * ```ts
 * foldTransposes(schedule(nodes, [a.transpose().matmul(b)], types, dims)).size; // 1
 * ```
 */
export function foldTransposes(s: Schedule): Set<number> {
  const folded = new Set<number>();
  s.nodes.forEach((n, i) => {
    if (n.op !== 'transpose' || s.shapes[i]!.length !== 2 || (n.attrs['perm'] as readonly number[])[0] !== 1 || s.isOutput.has(i)) return;
    const reads = s.users[i]!;
    if (reads.length > 0 && reads.every((u) => isMatmul2d(s.nodes[u]!, s))) folded.add(i);
  });
  return folded;
}

/**
 * The value a step reads for input `input`: a folded transpose is read through its own input.
 * @example
 * ```ts
 * readThrough(s, folded, matmulNode.inputs[0]!); // the position of x for matmul(transpose(x), w)
 * ```
 */
export function readThrough(s: Schedule, folded: ReadonlySet<number>, input: Node): number {
  const j = s.at(input);
  return folded.has(j) ? s.at(input.inputs[0]!) : j;
}
