// What a careful reviewer threw at the lint: float32 overflow, subnormals, huge exp arguments,
// paths that are not unique, infinities next to a region, long inputs, batches of different
// sizes, ranges a dtype cannot hold, bad points and options. Each case once went wrong.
import { describe, expect, it } from 'vitest';
import {
  add, constant, div, exp, firstNonFinite, gather, input, less, log, matmul, mul, neg, type Node, sigmoid, sub, tensor, where,
} from '@stablegrad/core';
import { lint, LintError, lintOverlay, formatLint } from '@stablegrad/lint';
import { createDoubleDoubleMath } from '../src/dd-math.js';
import { findRegion, variablesFor } from '../src/region.js';

const f64 = { dtype: 'float64' as const };

describe('the reference', () => {
  it('float32 overflow is an overflow of exp, not an error of the log that reads it', () => {
    const x = input([3], { name: 'x' });
    const e = exp(x);
    const report = lint({ o: log(e).sum() }, { ranges: { x: [80, 100] }, samples: 60, stabilize: false });
    expect(report.nodes.find((n) => n.node === e)!.overflowShare).toBeGreaterThan(0.3);
    expect(report.flagged.map((n) => n.node.op)).not.toContain('log');
  });

  it('double-double hands logs of subnormals to the decimal reference instead of returning NaN', () => {
    const M = createDoubleDoubleMath();
    M.log([1e-310, 0]);
    expect(M.unreliable).toBe(true);
    const x = input([], { ...f64, name: 'x' });
    const report = lint(log(x), { points: [{ x: 1e-310 }], stabilize: false });
    expect(report.samples).toBe(1);
    expect(report.flagged).toEqual([]);
  });

  it('quotients of subnormal values are measured exactly (3e-310 / 7e-310 is 3/7)', () => {
    const x = input([], { ...f64, name: 'x' });
    const y = input([], { ...f64, name: 'y' });
    const d = sub(div(x, y), constant(3 / 7, f64));
    const report = lint(d, { points: [{ x: 3e-310, y: 7e-310 }, { x: 3, y: 7 }], stabilize: false });
    // Both points cancel the same way: the subtraction loses everything at both.
    expect(report.nodes.find((n) => n.node === d)!.lostHalfShare).toBe(1);
  });

  it('exp beyond 1e6 is a number: naive cross-entropy at z = -2e6 is measured, not rejected', () => {
    const z = input([], { ...f64, name: 'z' });
    const y = input([], { ...f64, name: 'y' });
    const p = sigmoid(z);
    const loss = neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p)))));
    const report = lint(loss, { points: [{ z: -2e6, y: 0 }, { z: -2e6, y: 1 }], stabilize: false });
    expect(report.rejected).toBe(0);
    expect(report.samples).toBe(2);
    expect(report.flagged.length).toBeGreaterThan(0);
  });
});

describe('reports', () => {
  it('a node merged away by stabilize is matched by what it computes, not by a path two nodes share', () => {
    const z = input([4], { ...f64, name: 'z' });
    const a = input([4], { ...f64, name: 'a' });
    const b = input([4], { ...f64, name: 'b' });
    const oneMinus = sub(1, sigmoid(z));
    const squares = sub(mul(a, a), mul(b, b));
    const report = lint({ o1: log(oneMinus), o2: squares }, { ranges: { a: [1, 1.0001], b: [1, 1.0001] }, samples: 120 });
    expect(oneMinus.path).toBe(squares.path);
    const verdictOf = (node: Node): string | undefined => report.flagged.find((n) => n.node === node)?.stabilize;
    expect(verdictOf(squares)).toBe('unchanged');
    expect(verdictOf(oneMinus)).toBe('improved');
  });

  it('region bounds next to infinities never fall on the bad keys themselves', () => {
    const points = [-Infinity, -Infinity, 0, 0, 0, Infinity, Infinity].map((v, i) => ({ bits: v === 0 ? 60 : 0, sample: i, element: 0, v }));
    const variable = { name: 'v', value: (s: number) => points[s]!.v };
    const region = findRegion(points, (o) => o.bits > 30, [variable])!;
    expect(region.condition).toBe('-1 < v < 1');
    const upper = [1, 2, 3, 10, 11, 12, Infinity, Infinity].map((v, i) => ({ bits: v >= 10 && v <= 12 ? 60 : 0, sample: i, element: 0, v }));
    const upperRegion = findRegion(upper, (o) => o.bits > 30, [{ name: 'v', value: (s: number) => upper[s]!.v }])!;
    expect(upperRegion.condition).toBe('7 < v < 24');
  });

  it('summaries of a long input do not overflow the stack', () => {
    const x = input([300_000], { ...f64, name: 'x' });
    const data = Float64Array.from({ length: 300_000 }, (_, i) => i - 5);
    const { summaries } = variablesFor([[]], [x], [new Map([[x, tensor(data, { dtype: 'float64' })]])]);
    expect(summaries.map((v) => v.value(0, 0))).toEqual([299_994, -5, 299_999 / 299_994]);
  });

  it('points with batches of different sizes line up element by element', () => {
    const z = input(['batch'], { ...f64, name: 'z' });
    const oneMinus = sub(1, sigmoid(z));
    const points = [[40, 50], [1, 2, 3, 45, 60, 2, 1, 0], [0.5, 38, 70]].map((v) => ({ z: v }));
    const report = lint(oneMinus, { points, stabilize: false });
    const region = report.flagged[0]!.region!;
    expect(region.recall).toBe(1);
    expect(region.condition).toMatch(/^z > (\d+(\.\d+)?)$/);
    expect(Number(/z > (.*)/.exec(region.condition)![1])).toBeGreaterThan(3);
  });

  it('stoppedBy says when too many drawn samples were rejected', () => {
    const x = input([], { ...f64, name: 'x' });
    // log(x - 1e300) is real only for x > 1e300: most draws are rejected.
    const report = lint(log(sub(x, 1e300)), { samples: 40, stabilize: false });
    expect(report.samples).toBeLessThan(40);
    expect(report.stoppedBy).toBe('rejections');
  });
});

describe('bad input is a typed error naming what to change', () => {
  const x = input([2], { ...f64, name: 'x' });
  it('ranges: an unknown input, or a range the dtype cannot hold', () => {
    expect(() => lint(log(x), { ranges: { xx: [0, 1] } })).toThrow(/ranges\.xx names no input of the graph \(inputs: 'x'\)/);
    const k = input([2], { dtype: 'int32', name: 'k' });
    expect(() => lint(add(x, k.cast('float64')), { ranges: { k: [0.5, 0.7] } })).toThrow(/ranges\.k = \[0\.5, 0\.7\] holds no int32 value/);
    const f = input([2], { name: 'f' });
    expect(() => lint(exp(f), { ranges: { f: [1e39, 1e40] } })).toThrow(/holds no finite float32 value/);
    expect(() => lint(exp(f), { ranges: { f: [Infinity, Infinity] } })).toThrow(LintError);
  });

  it('points: empty, not feeds, or naming what is not an input', () => {
    expect(() => lint(log(x), { points: [] })).toThrow(/points must be a non-empty array/);
    expect(() => lint(log(x), { points: [null as never] })).toThrow(/points\[0\] must be feeds/);
    expect(() => lint(log(x), { points: [{ x: [1, 2], z: [1] }] })).toThrow(/points\[0\] names 'z', which is not an input/);
    const other = input([2], { ...f64, name: 'other' });
    expect(() => lint(log(x), { points: [new Map([[other, tensor([1, 2], { dtype: 'float64' })]])] })).toThrow(/not an input of the graph/);
  });

  it('nothing to measure, a kernel error in a drawn sample, a bad stabilize function, a bad seed', () => {
    const k = input([3], { dtype: 'int32', name: 'k' });
    expect(() => lint(k.add(1))).toThrow(/nothing to measure/);
    const table = input([2, 3], { ...f64, name: 'table' });
    const idx = input([2], { dtype: 'int32', name: 'idx' });
    expect(() => lint(exp(gather(table, idx, { axis: 1 })), { ranges: { idx: [0, 9] }, samples: 5 })).toThrow(/drawn sample \d+ cannot be evaluated: .*declare ranges/);
    expect(() => lint(log(x), { stabilize: (() => ({})) as never })).toThrow(/must return \{ graph, report \}/);
    expect(() => lint(log(x), { seed: 2 ** 32 + 1 })).toThrow(/seed must be a whole number in \[0, 2\^32\)/);
    expect(() => lint(log(x), { digits: 1e6 })).toThrow(/digits must be a whole number in \[20, 200\]/);
  });

  it('the report functions refuse what is not a report', () => {
    expect(() => lintOverlay(null as never)).toThrow(/lintOverlay: expected the report lint\(\) returns/);
    expect(() => formatLint({} as never)).toThrow(/formatLint: expected the report/);
  });

  it('firstNonFinite names operands only for elementwise ops (a matmul reads a row and a column)', () => {
    const a = input([2, 2], { ...f64, name: 'a' });
    const found = firstNonFinite(matmul(a, a), { a: [[1e308, 1], [1, 1]] })!;
    expect(found.node.op).toBe('matmul');
    expect(found.operands).toEqual([undefined, undefined]);
    const w = where(less(x, 0), constant(0, f64), log(x));
    expect(firstNonFinite(w, { x: [1, -1] })!.node.op).toBe('log');
  });
});
