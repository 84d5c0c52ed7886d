/**
 * Peak-memory estimate for the interpreter: replays the order and the freeing rule of core's
 * `evaluate` (a value is dropped after its last reader) over the nodes' static shapes, without
 * running any kernel. Kernel-internal temporaries are not counted.
 * @module
 */
import { type DType, type Node, topoSort } from '@stablegrad/core';

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/**
 * Bytes of one node's value; its shape must be concrete.
 * @example
 * ```ts
 * nodeBytes(input([32, 400], { name: 'x' })); // 51200
 * ```
 */
function nodeBytes(node: Node): number {
  let size = 1;
  for (const d of node.shape) {
    if (typeof d !== 'number') throw new Error(`${node} has a symbolic dimension; the estimate needs concrete shapes`);
    size *= d;
  }
  return size * BYTES[node.dtype];
}

/**
 * The largest total of computed values alive at once while `evaluate(outputs)` runs. Inputs,
 * params and constants are excluded: the caller holds them for the whole step.
 * @example
 * ```ts
 * peakIntermediateBytes([loss, ...gradients]); // e.g. 160_000
 * ```
 */
export function peakIntermediateBytes(outputs: readonly Node[]): number {
  const nodes = topoSort(outputs);
  const lastUse = new Map<Node, number>();
  nodes.forEach((node, i) => node.inputs.forEach((input) => lastUse.set(input, i)));
  for (const out of outputs) lastUse.set(out, nodes.length);
  const held = (n: Node): boolean => n.op === 'input' || n.op === 'param' || n.op === 'constant';
  let live = 0;
  let peak = 0;
  nodes.forEach((node, i) => {
    if (held(node)) return;
    live += nodeBytes(node);
    peak = Math.max(peak, live);
    for (const input of new Set(node.inputs)) if (!held(input) && lastUse.get(input) === i) live -= nodeBytes(input);
  });
  return peak;
}
