/**
 * Pass 4, views: where each value's data lives. An op with the `view` trait (reshape, ...) is its
 * input's data under another shape, so it shares its input's buffer: the buffer's root is the
 * first value, not a view, up the chain.
 * @module
 */
import { hasTrait, type Node } from '@stablegrad/core';
import type { Schedule } from './schedule.js';

/**
 * True when a computed node is a view: it runs no step, its value is its input's buffer.
 * @example
 * ```ts
 * isView(x.reshape([6])); // true
 * ```
 */
export const isView = (node: Node): boolean => node.inputs.length > 0 && hasTrait(node.op, 'view');

/**
 * The buffer root of every position: itself, or for a view the root of its input.
 * @example
 * ```ts
 * const roots = viewRoots(s);
 * roots[s.at(h.reshape([6]))] === s.at(h); // true
 * ```
 */
export function viewRoots(s: Schedule): number[] {
  const rootOf = s.nodes.map((_, i) => i);
  s.nodes.forEach((n, i) => {
    if (isView(n)) rootOf[i] = rootOf[s.at(n.inputs[0]!)]!;
  });
  return rootOf;
}
