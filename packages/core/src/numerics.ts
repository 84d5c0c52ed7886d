/**
 * `firstNonFinite`: where a NaN or an infinity was born. Runs a graph with the interpreter,
 * keeping every value, and returns the first node (in evaluation order) whose value holds a
 * non-finite element: every node before it is finite, so its own op produced it from finite
 * inputs (or it is a fed input or param that was not finite to begin with). TensorFlow's
 * `check_numerics` asks the same question one tensor at a time.
 * @module
 */
import { evaluate, type Feeds } from './evaluate.js';
import { type Graph, isGraph, topoSort } from './graph.js';
import { opDef } from './registry.js';
import { broadcastIndex } from './kernels/indexing.js';
import { Node } from './node.js';
import { type ConcreteShape, unravelIndex } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * The first non-finite value of a graph run.
 * @example
 * ```ts
 * const found: NonFinite | undefined = firstNonFinite(loss, feeds);
 * if (found) console.log(describeNonFinite(found));
 * ```
 */
export interface NonFinite {
  /** The node whose value first held a NaN or an infinity. */
  readonly node: Node;
  /** Its value's shape, and the position of its first non-finite element there. */
  readonly shape: ConcreteShape;
  readonly position: readonly number[];
  /** That element: NaN, Infinity or -Infinity. */
  readonly value: number;
  /** For an elementwise op: the element of each input it read (undefined otherwise, or where an input does not line up). */
  readonly operands: readonly (number | undefined)[];
  /** The node is a fed input or a param: the non-finite value came from outside the graph. */
  readonly fromOutside: boolean;
}

/**
 * Evaluates `outputs` (with the interpreter) and returns the first node, in evaluation order,
 * whose value is not finite everywhere, or undefined when every value is finite.
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const found = firstNonFinite(x.sub(1).log().mul(0), { x: [2, 1] });
 * found?.node.op;           // 'log': log(0) = -Infinity, then 0 * -Infinity = NaN downstream
 * describeNonFinite(found!); // "log 'log' [2] float64 gave -Infinity at [1] from finite input 0"
 * ```
 */
export function firstNonFinite(outputs: Node | readonly Node[] | Graph, feeds: Feeds = {}): NonFinite | undefined {
  const nodes = topoSort(outputs instanceof Node ? [outputs] : isGraph(outputs) ? outputs.outputs : [...outputs]);
  const values = evaluate(nodes, feeds);
  const byNode = new Map<Node, Tensor>(nodes.map((n, i) => [n, values[i]!]));
  for (const node of nodes) {
    const value = byNode.get(node)!;
    const at = value.data.findIndex((v) => !Number.isFinite(v));
    if (at < 0) continue;
    // Only an elementwise op reads the operands' aligned elements (a matmul reads a row and a column).
    const elementwise = opDef(node.op).elementwise !== undefined;
    const operands = node.inputs.map((input) => {
      const t = byNode.get(input)!;
      if (!elementwise) return undefined;
      const broadcasts = t.shape.length <= value.shape.length && t.shape.every((d, i) => d === 1 || d === value.shape[value.shape.length - t.shape.length + i]);
      return broadcasts ? t.data[broadcastIndex(t.shape, value.shape)[at]!] : undefined;
    });
    return { node, shape: value.shape, position: unravelIndex(at, value.shape), value: value.data[at]!, operands, fromOutside: node.inputs.length === 0 };
  }
  return undefined;
}

/**
 * One line about a `NonFinite`: the node, the value, where, and from what.
 * @example
 * ```ts
 * describeNonFinite(found); // "log 'loss/log' [32] float32 gave -Infinity at [7] from finite input 0"
 * ```
 */
export function describeNonFinite(found: NonFinite): string {
  const where = found.shape.length === 0 ? '' : ` at [${found.position.join(', ')}]`;
  if (found.fromOutside) return `${found.node} holds ${found.value}${where} (fed or stored that way, not computed)`;
  const known = found.operands.filter((v): v is number => v !== undefined);
  const from = known.length === found.operands.length && known.length > 0
    ? ` from finite input${known.length > 1 ? 's' : ''} ${known.join(', ')}`
    : ' from finite inputs';
  return `${found.node} gave ${found.value}${where}${from}`;
}
