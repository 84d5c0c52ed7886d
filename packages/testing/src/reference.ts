/**
 * The high-precision reference evaluator: runs any graph with each op's `reference` (exact math
 * at 60 digits, no rounding to float32 in between), then rounds each output once to its dtype.
 * It is the "truth" the accuracy tests compare kernels and rewrites against.
 * @module
 */
import {
  type BigMath, bindFeeds, type ConcreteShape, type DType, type Feeds, FeedError, formatShape, Node, opDef, type RefTensor,
  ShapeError, sizeOf, StablegradError, type Tensor, topoSort,
} from '@stablegrad/core';
import { type Decimal, type DecimalMath, decimalMath, roundToDType, toDecimal } from './decimal-math.js';

/**
 * One output of the reference evaluator.
 * @example
 * ```ts
 * const { dtype, shape, exact, values } = referenceEvaluate(loss, feeds);
 * ```
 */
export interface ReferenceResult {
  readonly dtype: DType;
  readonly shape: ConcreteShape;
  /** The values at full precision (60 digits by default), before rounding to the dtype. */
  readonly exact: readonly Decimal[];
  /** The values correctly rounded to the dtype (float32: to the nearest float32). */
  readonly values: readonly number[];
}

/**
 * Options of the reference evaluator.
 * @example
 * ```ts
 * referenceEvaluate(y, feeds, { math: createDecimalMath(120) });
 * ```
 */
export interface ReferenceOptions {
  /** The arithmetic (default `decimalMath`, 60 digits); see `createDecimalMath`. */
  readonly math?: DecimalMath;
}

/**
 * Exact values for nodes: feeds of inputs and params, or overrides of any node's value.
 * @example
 * ```ts
 * const feeds: ExactFeeds = new Map([[x, toRefTensor(tensor([0.5], { dtype: 'float64' }))]]);
 * ```
 */
export type ExactFeeds = ReadonlyMap<Node, RefTensor<Decimal>>;

/**
 * Evaluates `outputs` in high precision. Feeds are the same as for core's `evaluate` (and are
 * checked the same way); float32 feeds are rounded to float32 first, as `evaluate` does, and
 * then taken exactly. Params not fed take their initial value.
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const r = referenceEvaluate(x.exp().sum(), { x: [0, 1] });
 * r.values[0];            // 3.718281828459045 (1 + e, correctly rounded)
 * r.exact[0].toString();  // '3.71828182845904523536028747135266249775724709369995957496697'
 * ```
 */
export function referenceEvaluate(outputs: Node, feeds?: Feeds, options?: ReferenceOptions): ReferenceResult;
export function referenceEvaluate(outputs: readonly Node[], feeds?: Feeds, options?: ReferenceOptions): ReferenceResult[];
export function referenceEvaluate(outputs: Node | readonly Node[], feeds: Feeds = {}, options: ReferenceOptions = {}): ReferenceResult | ReferenceResult[] {
  const list = outputs instanceof Node ? [outputs] : [...outputs];
  const M = options.math ?? decimalMath;
  const nodes = topoSort(list);
  const { values, dims } = bindFeeds(nodes, feeds);
  const given = new Map<Node, RefTensor<Decimal>>();
  for (const [node, t] of values) given.set(node, toRefTensor(t, M));
  const computed = runReference(nodes, list, given, dims, M, false);
  const results = list.map((n) => toResult(computed.get(n)!));
  return outputs instanceof Node ? results[0]! : results;
}

/**
 * Evaluates `outputs` at an exact point: `feeds` maps nodes to high-precision tensors. Inputs
 * must be fed, params not fed take their initial value, and feeding any other node overrides
 * its value (its inputs are then not used for it). Used for finite differences at points that
 * are not floats.
 * @example
 * ```ts
 * const x = input([], { dtype: 'float64', name: 'x' });
 * const D = decimalMath.Decimal;
 * const at = new Map([[x, { dtype: 'float64', shape: [], data: [new D('1e-30')] }]]);
 * referenceEvaluateExact(x.exp(), at).exact[0].toString(); // '1.000000000000000000000000000001'
 * ```
 */
export function referenceEvaluateExact(outputs: Node, feeds: ExactFeeds, options?: ReferenceOptions): ReferenceResult;
export function referenceEvaluateExact(outputs: readonly Node[], feeds: ExactFeeds, options?: ReferenceOptions): ReferenceResult[];
export function referenceEvaluateExact(outputs: Node | readonly Node[], feeds: ExactFeeds, options: ReferenceOptions = {}): ReferenceResult | ReferenceResult[] {
  const list = outputs instanceof Node ? [outputs] : [...outputs];
  const M = options.math ?? decimalMath;
  const nodes = topoSort(list);
  const { given, dims } = bindExactFeeds(nodes, feeds);
  const computed = runReference(nodes, list, given, dims, M, false);
  const results = list.map((n) => toResult(computed.get(n)!));
  return outputs instanceof Node ? results[0]! : results;
}

/**
 * A float tensor as a high-precision one, every value converted exactly.
 * @example
 * ```ts
 * toRefTensor(tensor([0.1], { dtype: 'float64' })).data[0].toString(); // '0.1000000000000000055511151231257827021181583404541015625'
 * ```
 */
export function toRefTensor(t: Tensor, M: DecimalMath = decimalMath): RefTensor<Decimal> {
  return { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data, (v) => toDecimal(v, M.Decimal)) };
}

/** Checks exact feeds like `bindFeeds` checks float ones, and binds named dimensions. */
export function bindExactFeeds(nodes: readonly Node[], feeds: ExactFeeds): { given: Map<Node, RefTensor<Decimal>>; dims: Map<string, number> } {
  const inGraph = new Set(nodes);
  const given = new Map<Node, RefTensor<Decimal>>();
  const dims = new Map<string, number>();
  for (const [node, value] of feeds) {
    if (!inGraph.has(node)) continue;
    const where = `${node} was fed ${formatShape(value.shape)} ${value.dtype}`;
    if (value.dtype !== node.dtype || value.shape.length !== node.shape.length || value.data.length !== sizeOf(value.shape)) {
      throw new FeedError(`${where} with ${value.data.length} values`);
    }
    if (node.dtype === 'int32' && value.data.some((v) => !v.isInteger())) throw new FeedError(`${where}: int32 values must be integers`);
    bindShape(node, value.shape, dims, where);
    given.set(node, value);
  }
  const missing = nodes.filter((n) => n.op === 'input' && !given.has(n));
  if (missing.length > 0) throw new FeedError(`input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n.path}'`).join(', ')} not fed`);
  return { given, dims };
}

/**
 * Runs the references of `nodes` (in topological order). Nodes in `given` are taken as they
 * are; inputs outside `nodes` are read from `given`. Unless `keepAll`, values no later node
 * reads are dropped as the run goes.
 */
export function runReference(
  nodes: readonly Node[], outputs: readonly Node[], given: ReadonlyMap<Node, RefTensor<Decimal>>,
  dims: Map<string, number>, M: DecimalMath, keepAll: boolean,
): Map<Node, RefTensor<Decimal>> {
  const lastUse = new Map<Node, number>();
  if (!keepAll) {
    nodes.forEach((node, i) => node.inputs.forEach((input) => lastUse.set(input, i)));
    for (const out of outputs) lastUse.set(out, nodes.length);
  }
  const values = new Map<Node, RefTensor<Decimal>>();
  nodes.forEach((node, i) => {
    values.set(node, given.get(node) ?? runReferenceNode(node, node.inputs.map((n) => values.get(n) ?? given.get(n)!), dims, M));
    if (!keepAll) for (const input of node.inputs) if (lastUse.get(input) === i) values.delete(input);
  });
  return values;
}

/**
 * One node's reference on its inputs' high-precision values, in any `BigMath` (decimal.js here,
 * double-double in the stability lint): checks the run-time shape against the declared one and
 * binds named dimensions; errors name the node.
 * @example
 * ```ts
 * const value = runReferenceNode(node, node.inputs.map((n) => values.get(n)!), dims, decimalMath);
 * ```
 */
export function runReferenceNode<T>(node: Node, inputs: readonly RefTensor<T>[], dims: Map<string, number>, M: BigMath<T>): RefTensor<T> {
  const op = opDef(node.op);
  try {
    const type = op.infer(inputs, node.attrs, dims);
    if (!type.shape.every((d): d is number => typeof d === 'number') || type.dtype !== node.dtype) {
      throw new ShapeError(`run-time shape ${formatShape(type.shape)} ${type.dtype} does not match declared ${formatShape(node.shape)} ${node.dtype}`);
    }
    const shape = type.shape;
    bindShape(node, shape, dims, `run-time shape ${formatShape(shape)}`);
    const data = op.reference(inputs, node.attrs, M, { shape, dtype: type.dtype }, node);
    if (data.length !== sizeOf(shape)) throw new StablegradError(`reference produced ${data.length} values for shape ${formatShape(shape)}`);
    return { dtype: type.dtype, shape, data };
  } catch (e) {
    if (!(e instanceof StablegradError) || e.message.includes(`'${node.path}'`)) throw e;
    const Kind = e.constructor as new (message: string) => StablegradError;
    throw new Kind(`${node} (reference): ${e.message}`);
  }
}

/** Checks a concrete shape against the node's static one and binds its named dimensions. */
function bindShape(node: Node, shape: ConcreteShape, dims: Map<string, number>, where: string): void {
  if (shape.length !== node.shape.length) throw new ShapeError(`${where} does not fit declared ${formatShape(node.shape)}`);
  shape.forEach((d, i) => {
    const declared = node.shape[i];
    if (typeof declared === 'number' && declared !== d) throw new ShapeError(`${where} does not fit declared ${formatShape(node.shape)}`);
    if (typeof declared !== 'string') return;
    const bound = dims.get(declared);
    if (bound === undefined) dims.set(declared, d);
    else if (bound !== d) throw new ShapeError(`${where}: dimension '${declared}' is ${d} here but ${bound} elsewhere`);
  });
}

function toResult(t: RefTensor<Decimal>): ReferenceResult {
  return { dtype: t.dtype, shape: t.shape, exact: t.data, values: t.data.map((x) => roundToDType(x, t.dtype)) };
}
