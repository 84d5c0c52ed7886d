// The chained methods (`x.exp()`) are installed on Node.prototype by chained-methods.ts. Each must
// build the node its function form builds, and node.ts must stay free of op imports, or the
// op files -> apply.ts -> node.ts -> op files import circle comes back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  abs, add, broadcastTo, cast, clip, div, equal, exp, expandDims, expm1, gather, greater, greaterEqual, input, less,
  lessEqual, log, log1mexp, log1p, logaddexp, logSigmoid, logSoftmax, logsumexp, matmul, max, maximum, mean, min, minimum,
  mul, neg, Node, notEqual, oneHot, pow, printGraph, relu, reshape, rsqrt, sigmoid, sign, softmax, softplus, sqrt, square,
  squeeze, sub, sum, tanh, transpose, variance,
} from '@stablegrad/core';

/** The function form of each chained method, under the method's name. */
const FUNCTIONS = {
  add, sub, mul, div, pow, maximum, minimum, logaddexp, equal, notEqual, less, lessEqual, greater, greaterEqual,
  neg, abs, sign, exp, log, log1p, expm1, sqrt, rsqrt, square, tanh, sigmoid, relu, softplus, logSigmoid, log1mexp,
  clip, cast, sum, mean, variance, max, min, logsumexp, softmax, logSoftmax, matmul, transpose, reshape, broadcastTo,
  expandDims, squeeze, gather, oneHot,
};
type Method = keyof typeof FUNCTIONS;

const x = input([2, 3], { name: 'x' });
const y = input([2, 3], { name: 'y' });
const w = input([3, 4], { name: 'w' });
const labels = input([2], { dtype: 'int32', name: 'labels' });
const column = input([2, 1], { name: 'column' });

/** Calls of each method: the receiver, then the method's arguments (typed by the method's signature). */
const CALLS: { readonly [K in Method]: readonly (readonly [Node, ...Parameters<Node[K]>])[] } = {
  add: [[x, y], [x, 2]],
  sub: [[x, y], [x, 2]],
  mul: [[x, y], [x, 2]],
  div: [[x, y], [x, 2]],
  pow: [[x, y], [x, 2]],
  maximum: [[x, y], [x, 0]],
  minimum: [[x, y], [x, 0]],
  logaddexp: [[x, y], [x, 0]],
  equal: [[x, y], [labels, 1]],
  notEqual: [[x, y], [labels, 1]],
  less: [[x, y], [x, 0.5]],
  lessEqual: [[x, y], [x, 0.5]],
  greater: [[x, y], [x, 0.5]],
  greaterEqual: [[x, y], [x, 0.5]],
  neg: [[x]],
  abs: [[x]],
  sign: [[x]],
  exp: [[x]],
  log: [[x]],
  log1p: [[x]],
  expm1: [[x]],
  sqrt: [[x]],
  rsqrt: [[x]],
  square: [[x]],
  tanh: [[x]],
  sigmoid: [[x]],
  relu: [[x]],
  softplus: [[x]],
  logSigmoid: [[x]],
  log1mexp: [[x]],
  clip: [[x, -1, 1]],
  cast: [[x, 'float64'], [labels, 'float32']],
  sum: [[x], [x, { axis: -1, keepDims: true }]],
  mean: [[x], [x, { axis: 0 }]],
  variance: [[x], [x, { axis: [0, 1], keepDims: true }]],
  max: [[x], [x, { axis: [0, 1], keepDims: true }]],
  min: [[x], [x, { axis: 1 }]],
  logsumexp: [[x], [x, { axis: -1 }]],
  softmax: [[x], [x, 0]],
  logSoftmax: [[x], [x, 0]],
  matmul: [[x, w]],
  transpose: [[x], [x, [1, 0]]],
  reshape: [[x, [3, 2]], [x, [-1]]],
  broadcastTo: [[column, [2, 3]]],
  expandDims: [[x, 0], [x, -1]],
  squeeze: [[column], [column, 1]],
  gather: [[x, labels], [x, labels, { axis: 1, batchDims: 1 }]],
  oneHot: [[labels, 3], [labels, 3, { dtype: 'float64' }]],
};

/** Calls a function or method whose argument types the table above has already checked. */
function call(fn: unknown, self: unknown, args: readonly unknown[]): Node {
  return Reflect.apply(fn as (...a: unknown[]) => Node, self, args) as Node;
}

describe('chained methods', () => {
  it('the table covers exactly the methods on Node.prototype', () => {
    const own = Object.getOwnPropertyNames(Node.prototype).filter((name) => !['constructor', 'path', 'rank', 'toString'].includes(name));
    expect([...own].sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it.each(Object.entries(CALLS))('%s builds the node its function form builds', (name, calls) => {
    for (const [self, ...args] of calls) {
      const chained = call(Reflect.get(self, name), self, args);
      const functional = call(FUNCTIONS[name as Method], undefined, [self, ...args]);
      expect(chained.op).toBe(functional.op);
      expect(chained.attrs).toEqual(functional.attrs);
      expect(chained.inputs.length).toBe(functional.inputs.length);
      // Number operands become fresh constants in each call; every other input is the same node.
      chained.inputs.forEach((input, i) => {
        if (input.op !== 'constant') expect(input).toBe(functional.inputs[i]);
      });
      expect(printGraph(chained)).toBe(printGraph(functional));
    }
  });

  it('are not enumerable, like methods written in the class body', () => {
    expect(Object.keys(Node.prototype)).toEqual([]);
    const fields: string[] = [];
    for (const key in x) fields.push(key);
    expect(fields).toEqual(['id', 'op', 'inputs', 'attrs', 'shape', 'dtype', 'name', 'scope', 'value']);
  });

  it('node.ts imports no op and nothing at run time, so it closes no import circle', () => {
    const source = readFileSync(new URL('../src/node.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import\s[^;]*?;/gms)].map((m) => m[0]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => /['"]\.\/ops\//.test(i))).toEqual([]);
    expect(imports.filter((i) => !/^import\s+type\s/.test(i))).toEqual([]);
  });
});
