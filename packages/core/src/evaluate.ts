/**
 * The reference interpreter: runs a graph node by node over typed arrays. Feeds are resolved
 * (by node, path or name) and checked against the inputs' declared shapes and dtypes first
 * (feeds.ts, shared with the compiled backend), and symbolic dimensions are bound.
 * @module
 */
import { allocate } from './dtype.js';
import { FeedError, ShapeError, StablegradError } from './errors.js';
import { checkFeed, notFedError } from './feeds.js';
import { topoSort } from './graph.js';
import { Node } from './node.js';
import type { TypeInfo } from './op.js';
import { opDef } from './registry.js';
import { checkSize, formatShape, type ConcreteShape, isConcrete, mayBeSameShape, sizeOf } from './shape.js';
import type { Tensor, TensorLike } from './tensor.js';

/**
 * Values for the graph's inputs: a Map from input (or param) nodes, or an object keyed by input
 * name (or scope path). Params take their initial value unless fed. Entries for nodes or names
 * the evaluated graph does not use are ignored (one table can feed several graphs); a missing
 * input's error lists them, to catch typos.
 * @example
 * ```ts
 * evaluate(loss, { x: [[1, 2, 3]], y: [1] });                         // by name
 * evaluate(loss, new Map([[x, tensor([[1, 2, 3]])], [y, tensor([1])]])); // by node
 * ```
 */
export type Feeds = ReadonlyMap<Node, TensorLike> | { readonly [name: string]: TensorLike };

/**
 * Evaluates one node, or several, with the reference interpreter.
 * @example
 * ```ts
 * const x = input([2], { name: 'x' });
 * evaluate(x.mul(3), { x: [1, 2] }).data; // Float32Array [3, 6]
 * ```
 */
export function evaluate(outputs: Node, feeds?: Feeds): Tensor;
export function evaluate(outputs: readonly Node[], feeds?: Feeds): Tensor[];
export function evaluate(outputs: Node | readonly Node[], feeds: Feeds = {}): Tensor | Tensor[] {
  const list = outputs instanceof Node ? [outputs] : [...outputs];
  const nodes = topoSort(list);
  const { values: fed, dims } = bindFeeds(nodes, feeds);
  const lastUse = new Map<Node, number>();
  nodes.forEach((node, i) => node.inputs.forEach((input) => lastUse.set(input, i)));
  for (const out of list) lastUse.set(out, nodes.length);

  const values = new Map<Node, Tensor>();
  nodes.forEach((node, i) => {
    values.set(node, fed.get(node) ?? run(node, node.inputs.map((n) => values.get(n)!), dims));
    // Free what no later node reads: long gradient graphs would otherwise hold every value.
    for (const input of node.inputs) if (lastUse.get(input) === i) values.delete(input);
  });
  const results = list.map((n) => values.get(n)!);
  return outputs instanceof Node ? results[0]! : results;
}

/** Runs one node's kernel on concrete inputs; errors name the node. */
function run(node: Node, inputs: readonly Tensor[], dims: Map<string, number>): Tensor {
  const op = opDef(node.op);
  try {
    const type = op.infer(inputs, node.attrs, dims);
    const shape = concreteShapeOf(node, type, dims);
    // Named dimensions are known only now: check the size before allocating the output.
    checkSize(shape, 'output');
    const out: Tensor = { dtype: type.dtype, shape, data: allocate(type.dtype, sizeOf(shape)) };
    op.kernel(inputs, node.attrs, out, node);
    return out;
  } catch (e) {
    if (!(e instanceof StablegradError) || e.message.includes(`'${node.path}'`)) throw e;
    const Kind = e.constructor as new (message: string) => StablegradError;
    throw new Kind(`${node}: ${e.message}`);
  }
}

/** Checks a run-time shape against the node's static one and binds its named dimensions. */
function concreteShapeOf(node: Node, type: TypeInfo, dims: Map<string, number>): ConcreteShape {
  const shape = type.shape;
  if (!isConcrete(shape) || !mayBeSameShape(shape, node.shape) || type.dtype !== node.dtype) {
    throw new ShapeError(`run-time shape ${formatShape(shape)} ${type.dtype} does not match declared ${formatShape(node.shape)} ${node.dtype}`);
  }
  shape.forEach((d, i) => {
    const name = node.shape[i];
    if (typeof name !== 'string') return;
    const bound = dims.get(name);
    if (bound === undefined) dims.set(name, d);
    else if (bound !== d) {
      throw new ShapeError(`dimension '${name}' is ${d} here but ${bound} elsewhere (shape ${formatShape(shape)} for ${formatShape(node.shape)})`);
    }
  });
  return shape;
}

/**
 * Resolves and checks feeds: every input fed, right dtype and rank, named dims consistent.
 * @example
 * ```ts
 * const x = input(['batch', 3], { name: 'x' });
 * const { values, dims } = bindFeeds([x], { x: [[1, 2, 3], [4, 5, 6]] });
 * dims.get('batch');     // 2
 * values.get(x)?.shape;  // [2, 3]
 * ```
 */
export function bindFeeds(nodes: readonly Node[], feeds: Feeds): { values: Map<Node, Tensor>; dims: Map<string, number> } {
  const sources = nodes.filter((n) => n.op === 'input' || n.op === 'param');
  const { matched, unmatched } = feeds instanceof Map
    ? { matched: [...feeds.entries()], unmatched: [] }
    : feedsByName(sources, feeds as { readonly [name: string]: TensorLike });
  const values = new Map<Node, Tensor>();
  const dims = new Map<string, number>();
  const inGraph = new Set(nodes);
  for (const [node, value] of matched) {
    // Feeds for nodes outside this graph are allowed: one feed table can serve several graphs.
    if (inGraph.has(node)) values.set(node, checkFeed(node, value, dims));
  }
  for (const node of sources) {
    if (node.op === 'input' && !values.has(node)) throw notFedError(node, sources, unmatched);
  }
  return { values, dims };
}

function feedsByName(sources: readonly Node[], feeds: { readonly [name: string]: TensorLike }): { matched: [Node, TensorLike][]; unmatched: string[] } {
  const matched: [Node, TensorLike][] = [];
  const unmatched: string[] = [];
  for (const [key, value] of Object.entries(feeds)) {
    const byPath = sources.filter((n) => n.path === key);
    const matches = byPath.length > 0 ? byPath : sources.filter((n) => n.name === key);
    if (matches.length === 0) unmatched.push(key);
    else if (matches.length > 1) {
      throw new FeedError(`the name '${key}' is ambiguous: ${matches.length} inputs or params have it; feed by node or scope path`);
    } else matched.push([matches[0]!, value]);
  }
  return { matched, unmatched };
}
