/**
 * What runs a model's graphs: a function from feeds to output tensors, on the compiled backend
 * or core's interpreter.
 * @module
 */
import { compile as compileGraph, type Executable } from '@stablegrad/compile';
import { evaluate as run, type Node, type Tensor } from '@stablegrad/core';
import type { Backend } from './model-options.js';

/**
 * Runs some output nodes on feeds; the results may be reused buffers (valid until the next call).
 * @example
 * ```ts
 * const [prediction] = runnable([model.output], 'compiled', 'simd')(feeds);
 * ```
 */
export type Runnable = (feeds: Map<Node, Tensor>) => Tensor[];

/**
 * A `Runnable` for `outputs` on `backend`.
 * @example
 * ```ts
 * runnable([loss, prediction], 'interpreter', 'exact');
 * ```
 */
export function runnable(outputs: readonly Node[], backend: Backend, matmul: 'simd' | 'exact'): Runnable {
  if (backend === 'interpreter') return (feeds) => run(outputs, feeds);
  const executable: Executable = compileGraph(outputs, { matmul });
  return (feeds) => executable.run(feeds);
}

/**
 * Whether `node` is `target` or is computed from it.
 * @example
 * ```ts
 * dependsOn(loss, sampleWeight); // false for a loss that ignores its weights
 * ```
 */
export function dependsOn(node: Node, target: Node): boolean {
  const seen = new Set<Node>();
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === target) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs);
  }
  return false;
}
