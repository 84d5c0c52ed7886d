/**
 * A readable text form of a graph, one line per node, with ids from graph order (so the same
 * graph always prints the same way, for errors and snapshots).
 * @example
 * ```text
 * %0 = input [batch, 30] float32  # x
 * %1 = param [30, 1] float32  # W
 * %2 = matmul(%0, %1) [batch, 1] float32  # dense/matmul
 * ```
 * @module
 */
import { type Graph, type GraphOutputs, graph, isGraph } from './graph.js';
import type { Node } from './node.js';
import type { AttrValue } from './op.js';
import { formatShape } from './shape.js';

/**
 * Options of `printGraph`.
 * @example
 * ```ts
 * printGraph(graph({ loss }), { maxConstantElements: 3 });
 * ```
 */
export interface PrintOptions {
  /** Print the values of constants with at most this many elements (default 8). */
  readonly maxConstantElements?: number;
}

/**
 * Prints a graph, one node per line: `%id = op(inputs) {attrs} shape dtype  # scope/name`.
 * @example
 * ```ts
 * console.log(printGraph(graph({ loss })));
 * ```
 */
export function printGraph(g: Graph | GraphOutputs, options: PrintOptions = {}): string {
  const whole = isGraph(g) ? g : graph(g);
  const ids = new Map<Node, number>(whole.nodes.map((n, i) => [n, i]));
  const lines = whole.nodes.map((node) => printNode(node, ids, options.maxConstantElements ?? 8));
  const outs = whole.outputs.map((n, i) => `${whole.outputNames[i]}=%${ids.get(n)}`).join(', ');
  lines.push(`outputs: ${outs}`);
  return lines.join('\n');
}

/**
 * One node's line; `ids` gives the numbers of it and its inputs.
 * @example
 * ```ts
 * const a = input([2], { name: 'a' });
 * const e = a.exp();
 * printNode(e, new Map([[a, 0], [e, 1]])); // '%1 = exp(%0) [2] float32  # exp'
 * ```
 */
export function printNode(node: Node, ids: ReadonlyMap<Node, number>, maxConstantElements = 8): string {
  const args = node.inputs.length > 0 ? `(${node.inputs.map((i) => `%${ids.get(i) ?? '?'}`).join(', ')})` : '';
  const attrs = Object.entries(node.attrs)
    .filter(([k]) => !(node.inputs.length === 0 && (k === 'shape' || k === 'dtype')))
    .map(([k, v]) => `${k}=${formatAttr(v)}`);
  if (node.op === 'constant' && node.value !== undefined && node.value.data.length <= maxConstantElements) {
    attrs.unshift(`value=${formatValues(node.value.data)}`);
  }
  const attrText = attrs.length > 0 ? ` {${attrs.join(', ')}}` : '';
  return `%${ids.get(node)} = ${node.op}${args}${attrText} ${formatShape(node.shape)} ${node.dtype}  # ${node.path}`;
}

function formatAttr(v: AttrValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function formatValues(data: ArrayLike<number>): string {
  const items = Array.from(data, (x) => String(x));
  return items.length === 1 ? items[0]! : `[${items.join(', ')}]`;
}
