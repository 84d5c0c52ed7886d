/**
 * What each function of the expression language takes: the parameter kinds of every chained
 * method of Node (the table's type is derived from Node, so the compiler refuses a new method
 * until it has its entry here) and of the few ops that exist only as functions (`where`, the
 * fused losses, `slice`). `f(x, ...rest)` and `x.f(...rest)` are the same call, with exactly the
 * library's arguments: `clip(p, 1e-7, 1 - 1e-7)`, `sum(x, { axis: -1, keepDims: true })`,
 * `softmax(z, -1)` (softmax's axis is positional, as in `softmax(x, axis)`).
 * @module
 */
import { DTYPES, type DType } from '../dtype.js';
import type { ChainedMethodName } from '../chained-methods.js';
import type { Node, NodeLike, ReduceOptions } from '../node.js';
import type { Dim } from '../shape.js';
import { add } from '../ops/add.js';
import { sub } from '../ops/sub.js';
import { mul } from '../ops/mul.js';
import { div } from '../ops/div.js';
import { pow } from '../ops/pow.js';
import { maximum } from '../ops/maximum.js';
import { minimum } from '../ops/minimum.js';
import { logaddexp } from '../ops/logaddexp.js';
import { equal } from '../ops/equal.js';
import { notEqual } from '../ops/not-equal.js';
import { less } from '../ops/less.js';
import { lessEqual } from '../ops/less-equal.js';
import { greater } from '../ops/greater.js';
import { greaterEqual } from '../ops/greater-equal.js';
import { sigmoidCrossEntropyWithLogits } from '../ops/sigmoid-cross-entropy-with-logits.js';
import { slice } from '../ops/slice.js';
import { softmaxCrossEntropyWithLogits } from '../ops/softmax-cross-entropy-with-logits.js';
import { sparseSoftmaxCrossEntropyWithLogits } from '../ops/sparse-softmax-cross-entropy-with-logits.js';
import { weightedSigmoidCrossEntropyWithLogits } from '../ops/weighted-sigmoid-cross-entropy-with-logits.js';
import { where } from '../ops/where.js';

/** A value the parser hands to a function: one argument, already evaluated. */
export type ArgValue =
  | { readonly kind: 'node'; readonly node: Node; readonly offset: number }
  | { readonly kind: 'number'; readonly value: number; readonly offset: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number }
  | { readonly kind: 'list'; readonly items: readonly ArgValue[]; readonly offset: number }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, ArgValue>; readonly offset: number };

/** A wrong argument: what was expected, and where (the argument's own offset, or a field's). */
export class ArgumentProblem {
  constructor(readonly problem: string, readonly offset: number, readonly argument?: number) {}
}

type Convert<T> = (arg: ArgValue) => T;

const integer: Convert<number> = (a) => {
  if (a.kind === 'number' && Number.isInteger(a.value)) return a.value;
  throw new ArgumentProblem(`expected an integer, found ${describe(a)}`, a.offset);
};
const integers: Convert<number[]> = (a) => {
  if (a.kind !== 'list') throw new ArgumentProblem(`expected a list of integers such as [0, 1], found ${describe(a)}`, a.offset);
  return a.items.map(integer);
};

const CONVERTERS = {
  node: ((a) => {
    if (a.kind === 'node') return a.node;
    throw new ArgumentProblem(`expected a tensor (an expression with a variable in it), found ${describe(a)}`, a.offset);
  }) as Convert<Node>,
  nodeLike: ((a) => {
    if (a.kind === 'node') return a.node;
    if (a.kind === 'number') return a.value;
    throw new ArgumentProblem(`expected a tensor or a number, found ${describe(a)}`, a.offset);
  }) as Convert<NodeLike>,
  number: ((a) => {
    if (a.kind === 'number') return a.value;
    throw new ArgumentProblem(`expected a number (constant arithmetic such as 1 - 1e-7 is fine), found ${describe(a)}`, a.offset);
  }) as Convert<number>,
  int: integer,
  ints: integers,
  axes: ((a) => (a.kind === 'list' ? integers(a) : integer(a))) as Convert<number | number[]>,
  shape: ((a) => {
    if (a.kind !== 'list') throw new ArgumentProblem(`expected a shape such as [2, 'batch'], found ${describe(a)}`, a.offset);
    return a.items.map((item): Dim => {
      if (item.kind === 'string') return item.value;
      return integer(item);
    });
  }) as Convert<Dim[]>,
  dtype: ((a) => {
    if (a.kind === 'string' && (DTYPES as readonly string[]).includes(a.value)) return a.value as DType;
    throw new ArgumentProblem(`expected a dtype, one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, found ${describe(a)}`, a.offset);
  }) as Convert<DType>,
  reduceOptions: ((a) => {
    const fields = objectFields(a, ['axis', 'keepDims'], '{ axis: -1, keepDims: true }');
    const axis = fields.get('axis');
    const keepDims = fields.get('keepDims');
    const options: { axis?: number | number[]; keepDims?: boolean } = {};
    if (axis !== undefined) options.axis = axis.kind === 'list' ? integers(axis) : integer(axis);
    if (keepDims !== undefined) {
      if (keepDims.kind !== 'bool') throw new ArgumentProblem(`keepDims must be true or false, found ${describe(keepDims)}`, keepDims.offset);
      options.keepDims = keepDims.value;
    }
    return options;
  }) as Convert<ReduceOptions>,
  gatherOptions: ((a) => {
    const fields = objectFields(a, ['axis', 'batchDims'], '{ axis: 0, batchDims: 0 }');
    const options: { axis?: number; batchDims?: number } = {};
    const axis = fields.get('axis');
    const batchDims = fields.get('batchDims');
    if (axis !== undefined) options.axis = integer(axis);
    if (batchDims !== undefined) options.batchDims = integer(batchDims);
    return options;
  }) as Convert<{ axis?: number; batchDims?: number }>,
  oneHotOptions: ((a) => {
    const dtype = objectFields(a, ['dtype'], "{ dtype: 'float64' }").get('dtype');
    return dtype === undefined ? {} : { dtype: CONVERTERS.dtype(dtype) };
  }) as Convert<{ dtype?: DType }>,
};

type Kind = keyof typeof CONVERTERS;
type KindValue = { [K in Kind]: (typeof CONVERTERS)[K] extends Convert<infer T> ? T : never };
/** A parameter: a kind, optional when it ends in `?`. */
export type ParamKind = Kind | `${Kind}?`;
type ValueOf<P> = P extends `${infer K extends Kind}?` ? KindValue[K] | undefined : P extends Kind ? KindValue[P] : never;

/** One function of the language: its parameters, how it is written, and the op call. */
export interface FunctionSignature {
  /** How to write a call, for messages: `clip(x, lo, hi)`. */
  readonly usage: string;
  readonly params: readonly ParamKind[];
  /** Converts the arguments (missing optional ones are undefined) and builds the node. */
  build(args: readonly (ArgValue | undefined)[]): Node;
}

function signature<const P extends readonly ParamKind[]>(
  usage: string, params: P, call: (...args: { -readonly [I in keyof P]: ValueOf<P[I]> }) => Node,
): FunctionSignature {
  return {
    usage,
    params,
    build: (args) => {
      const values = params.map((param, i) => {
        const arg = args[i];
        if (arg === undefined) return undefined;
        try {
          return CONVERTERS[(param.endsWith('?') ? param.slice(0, -1) : param) as Kind](arg);
        } catch (e) {
          throw e instanceof ArgumentProblem ? new ArgumentProblem(e.problem, e.offset, i) : e;
        }
      });
      return call(...(values as { -readonly [I in keyof P]: ValueOf<P[I]> }));
    },
  };
}

/** The functions that are also chained methods: `log(z)` is `z.log()`. */
export const METHOD_SIGNATURES: { readonly [K in ChainedMethodName]: FunctionSignature } = {
  add: signature('add(a, b)', ['nodeLike', 'nodeLike'], (a, b) => add(a, b)),
  sub: signature('sub(a, b)', ['nodeLike', 'nodeLike'], (a, b) => sub(a, b)),
  mul: signature('mul(a, b)', ['nodeLike', 'nodeLike'], (a, b) => mul(a, b)),
  div: signature('div(a, b)', ['nodeLike', 'nodeLike'], (a, b) => div(a, b)),
  pow: signature('pow(a, b)', ['nodeLike', 'nodeLike'], (a, b) => pow(a, b)),
  maximum: signature('maximum(a, b)', ['nodeLike', 'nodeLike'], (a, b) => maximum(a, b)),
  minimum: signature('minimum(a, b)', ['nodeLike', 'nodeLike'], (a, b) => minimum(a, b)),
  logaddexp: signature('logaddexp(a, b)', ['nodeLike', 'nodeLike'], (a, b) => logaddexp(a, b)),
  equal: signature('equal(a, b)', ['nodeLike', 'nodeLike'], (a, b) => equal(a, b)),
  notEqual: signature('notEqual(a, b)', ['nodeLike', 'nodeLike'], (a, b) => notEqual(a, b)),
  less: signature('less(a, b)', ['nodeLike', 'nodeLike'], (a, b) => less(a, b)),
  lessEqual: signature('lessEqual(a, b)', ['nodeLike', 'nodeLike'], (a, b) => lessEqual(a, b)),
  greater: signature('greater(a, b)', ['nodeLike', 'nodeLike'], (a, b) => greater(a, b)),
  greaterEqual: signature('greaterEqual(a, b)', ['nodeLike', 'nodeLike'], (a, b) => greaterEqual(a, b)),
  neg: signature('neg(x)', ['node'], (x) => x.neg()),
  abs: signature('abs(x)', ['node'], (x) => x.abs()),
  sign: signature('sign(x)', ['node'], (x) => x.sign()),
  exp: signature('exp(x)', ['node'], (x) => x.exp()),
  log: signature('log(x)', ['node'], (x) => x.log()),
  log1p: signature('log1p(x)', ['node'], (x) => x.log1p()),
  expm1: signature('expm1(x)', ['node'], (x) => x.expm1()),
  sqrt: signature('sqrt(x)', ['node'], (x) => x.sqrt()),
  rsqrt: signature('rsqrt(x)', ['node'], (x) => x.rsqrt()),
  square: signature('square(x)', ['node'], (x) => x.square()),
  tanh: signature('tanh(x)', ['node'], (x) => x.tanh()),
  sigmoid: signature('sigmoid(x)', ['node'], (x) => x.sigmoid()),
  relu: signature('relu(x)', ['node'], (x) => x.relu()),
  softplus: signature('softplus(x)', ['node'], (x) => x.softplus()),
  logSigmoid: signature('logSigmoid(x)', ['node'], (x) => x.logSigmoid()),
  log1mexp: signature('log1mexp(x)', ['node'], (x) => x.log1mexp()),
  clip: signature('clip(x, lo, hi)', ['node', 'number', 'number'], (x, lo, hi) => x.clip(lo, hi)),
  cast: signature("cast(x, 'float64')", ['node', 'dtype'], (x, dtype) => x.cast(dtype)),
  sum: signature('sum(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.sum(options)),
  mean: signature('mean(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.mean(options)),
  variance: signature('variance(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.variance(options)),
  max: signature('max(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.max(options)),
  min: signature('min(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.min(options)),
  logsumexp: signature('logsumexp(x, { axis, keepDims })', ['node', 'reduceOptions?'], (x, options) => x.logsumexp(options)),
  softmax: signature('softmax(x, axis)', ['node', 'int?'], (x, axis) => x.softmax(axis)),
  logSoftmax: signature('logSoftmax(x, axis)', ['node', 'int?'], (x, axis) => x.logSoftmax(axis)),
  matmul: signature('matmul(a, b)', ['node', 'node'], (a, b) => a.matmul(b)),
  transpose: signature('transpose(x, [1, 0])', ['node', 'ints?'], (x, perm) => x.transpose(perm)),
  reshape: signature("reshape(x, ['batch', 1])", ['node', 'shape'], (x, shape) => x.reshape(shape)),
  broadcastTo: signature("broadcastTo(x, ['batch', 3])", ['node', 'shape'], (x, shape) => x.broadcastTo(shape)),
  expandDims: signature('expandDims(x, axis)', ['node', 'int'], (x, axis) => x.expandDims(axis)),
  squeeze: signature('squeeze(x, axis)', ['node', 'axes?'], (x, axis) => x.squeeze(axis)),
  gather: signature('gather(x, indices, { axis, batchDims })', ['node', 'node', 'gatherOptions?'], (x, indices, options) => x.gather(indices, options)),
  oneHot: signature("oneHot(labels, depth, { dtype: 'float64' })", ['node', 'int', 'oneHotOptions?'], (labels, depth, options) => labels.oneHot(depth, options)),
};

/** Ops that exist only as functions. */
export const FUNCTION_ONLY_SIGNATURES: { readonly [name: string]: FunctionSignature } = {
  where: signature('where(condition, a, b)', ['node', 'nodeLike', 'nodeLike'], (condition, a, b) => where(condition, a, b)),
  slice: signature('slice(x, begin, size)', ['node', 'ints', 'ints'], (x, begin, size) => slice(x, begin, size)),
  sigmoidCrossEntropyWithLogits: signature('sigmoidCrossEntropyWithLogits(z, y)', ['nodeLike', 'nodeLike'], (z, y) => sigmoidCrossEntropyWithLogits(z, y)),
  softmaxCrossEntropyWithLogits: signature('softmaxCrossEntropyWithLogits(z, y, axis)', ['node', 'node', 'int?'], (z, y, axis) => softmaxCrossEntropyWithLogits(z, y, axis)),
  sparseSoftmaxCrossEntropyWithLogits: signature('sparseSoftmaxCrossEntropyWithLogits(z, labels)', ['node', 'node'], (z, labels) => sparseSoftmaxCrossEntropyWithLogits(z, labels)),
  weightedSigmoidCrossEntropyWithLogits: signature('weightedSigmoidCrossEntropyWithLogits(z, y, posWeight)', ['node', 'nodeLike', 'nodeLike'], (z, y, w) => weightedSigmoidCrossEntropyWithLogits(z, y, w)),
};

/** The fields of an options object, refusing keys not in `allowed`. */
function objectFields(a: ArgValue, allowed: readonly string[], example: string): ReadonlyMap<string, ArgValue> {
  if (a.kind !== 'object') throw new ArgumentProblem(`expected an options object such as ${example}, found ${describe(a)}`, a.offset);
  for (const key of a.entries.keys()) {
    if (!allowed.includes(key)) throw new ArgumentProblem(`unknown option '${key}': this function takes ${allowed.join(', ')}`, a.entries.get(key)!.offset);
  }
  return a.entries;
}

/** A few words for a value in a message: "the number 3", "a tensor", "a list". */
export function describe(a: ArgValue): string {
  switch (a.kind) {
    case 'node': return `a tensor of shape ${JSON.stringify(a.node.shape)}`;
    case 'number': return `the number ${a.value}`;
    case 'bool': return `${a.value}`;
    case 'string': return `the string '${a.value}'`;
    case 'list': return 'a list';
    case 'object': return 'an options object';
    default: return a satisfies never;
  }
}
