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
  // Taking the largest id first from a max-heap visits the nodes in decreasing id order, each
  // node's copies one after the other (one id, one node): no set of seen nodes, and the order
  // reversed is the sorted one. Each node is pushed once per user, so this is O(edges log edges).
  const heap = new IdHeap();
  for (let i = 0; i < outputs.length; i++) heap.push(outputs[i]!);
  const order: Node[] = [];
  let last: Node | undefined;
  while (heap.size > 0) {
    const node = heap.pop();
    if (node === last) continue;
    last = node;
    order.push(node);
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) heap.push(inputs[i]!);
  }
  return order.reverse();
}

/** A binary max-heap of nodes by id. */
class IdHeap {
  private readonly items: Node[] = [];

  get size(): number {
    return this.items.length;
  }

  push(node: Node): void {
    const items = this.items;
    let i = items.length;
    items.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.id >= node.id) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = node;
  }

  /** Removes and returns the node with the largest id (the heap must not be empty). */
  pop(): Node {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    const size = items.length;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && items[child + 1]!.id > items[child]!.id) child++;
      if (items[child]!.id <= last.id) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
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
