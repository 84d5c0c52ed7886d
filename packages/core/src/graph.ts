/**
 * Whole graphs: the nodes reachable from some outputs, in a deterministic topological order.
 * @module
 */
import { Node } from './node.js';

/**
 * A graph: named outputs and every node they depend on, inputs first.
 * @example
 * ```ts
 * const g = graph({ loss, prediction });
 * g.outputNames;  // ['loss', 'prediction']
 * g.nodes[0]?.op; // the first input, e.g. 'input'
 * ```
 */
export interface Graph {
  /** Output nodes, in order. */
  readonly outputs: readonly Node[];
  /** Output names (`output_0`, ... unless given). */
  readonly outputNames: readonly string[];
  /** All nodes the outputs depend on, in topological (creation) order. */
  readonly nodes: readonly Node[];
}

/**
 * What `graph()` accepts: one node, a list, or named outputs.
 * @example
 * ```ts
 * graph(loss);                  // output_0
 * graph([loss, prediction]);    // output_0, output_1
 * graph({ loss, prediction });  // loss, prediction
 * ```
 */
export type GraphOutputs = Node | readonly Node[] | { readonly [name: string]: Node };

/**
 * Collects a graph from its outputs.
 * @example
 * ```ts
 * const g = graph({ loss, prediction });
 * g.nodes.length;
 * ```
 */
export function graph(outputs: GraphOutputs): Graph {
  let list: Node[];
  let names: string[];
  if (outputs instanceof Node) {
    list = [outputs];
    names = ['output_0'];
  } else if (Array.isArray(outputs)) {
    list = [...(outputs as readonly Node[])];
    names = list.map((_, i) => `output_${i}`);
  } else {
    const entries = Object.entries(outputs as { readonly [name: string]: Node });
    list = entries.map(([, n]) => n);
    names = entries.map(([k]) => k);
  }
  return { outputs: list, outputNames: names, nodes: topoSort(list) };
}

/**
 * True when `value` is a Graph object.
 * @example
 * ```ts
 * const loss = input([2]).exp().sum();
 * isGraph(graph({ loss })); // true
 * isGraph(loss);            // false
 * ```
 */
export function isGraph(value: unknown): value is Graph {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'outputs' in value && 'outputNames' in value;
}

/**
 * The nodes `outputs` depend on, each once, inputs before their users. Node ids grow in
 * creation order and a node's inputs exist before it, so sorting by id is a topological order
 * that does not depend on how the walk went.
 * @example
 * ```ts
 * const a = input([2], { name: 'a' });
 * const loss = a.exp().add(a).sum();
 * topoSort([loss]).map((n) => n.op); // ['input', 'exp', 'add', 'sum']
 * ```
 */
export function topoSort(outputs: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const input of node.inputs) if (!seen.has(input)) stack.push(input);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/**
 * For each node of `nodes`, the nodes of `nodes` that use it.
 * @example
 * ```ts
 * const a = input([2], { name: 'a' });
 * const loss = a.exp().add(a).sum();
 * consumers(topoSort([loss])).get(a)?.map((n) => n.op); // ['exp', 'add']
 * ```
 */
export function consumers(nodes: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>(nodes.map((n) => [n, []]));
  for (const node of nodes) {
    for (const input of node.inputs) users.get(input)?.push(node);
  }
  return users;
}
