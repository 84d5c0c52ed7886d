// firstNonFinite finds the node where a NaN or an infinity is born, not the ones it flows into.
import { describe, expect, it } from 'vitest';
import { describeNonFinite, firstNonFinite, input, log, mean, mul, param, sigmoid, sub, tensor } from '@stablegrad/core';

describe('firstNonFinite', () => {
  it('blames log(0), not the product and the mean downstream of it', () => {
    const x = input([3], { dtype: 'float64', name: 'x' });
    const logged = log(sub(x, 1));
    const loss = mean(mul(logged, 0));
    const found = firstNonFinite(loss, { x: [2, 3, 1] })!;
    expect(found.node).toBe(logged);
    expect(found.value).toBe(-Infinity);
    expect(found.position).toEqual([2]);
    expect(found.operands).toEqual([0]);
    expect(found.fromOutside).toBe(false);
    expect(describeNonFinite(found)).toBe(`${logged} gave -Infinity at [2] from finite input 0`);
  });

  it('naive binary cross-entropy in float32: log(1 - sigmoid(z)) at z = 20', () => {
    const z = input(['batch'], { name: 'z' });
    const y = input(['batch'], { name: 'y' });
    const oneMinus = sub(1, sigmoid(z));
    const logged = log(oneMinus);
    const loss = mean(mul(sub(1, y), logged));
    const found = firstNonFinite(loss, { z: [0, 20], y: [0, 0] })!;
    expect(found.node).toBe(logged);
    expect(found.position).toEqual([1]);
    expect(found.operands).toEqual([0]);
  });

  it('says when the value came from outside: a fed NaN, a param holding Infinity', () => {
    const x = input([2], { name: 'x' });
    const w = param(tensor([1, Infinity]), { name: 'w' });
    const fed = firstNonFinite(mul(x, 2), { x: [1, Number.NaN] })!;
    expect(fed.node).toBe(x);
    expect(fed.fromOutside).toBe(true);
    expect(describeNonFinite(fed)).toMatch(/holds NaN at \[1\] \(fed or stored that way, not computed\)/);
    expect(firstNonFinite(mul(x, w), { x: [1, 1] })!.node).toBe(w);
  });

  it('returns undefined when everything is finite', () => {
    const x = input([2], { name: 'x' });
    expect(firstNonFinite(log(x), { x: [1, 2] })).toBeUndefined();
  });

  it('names the operand only where it lines up elementwise (a reduction does not)', () => {
    const x = input([2, 2], { dtype: 'float64', name: 'x' });
    const s = mean(x, { axis: 1 });
    const found = firstNonFinite(log(s), { x: [[1, -1], [2, 2]] })!;
    expect(found.node.op).toBe('log');
    expect(found.operands).toEqual([0]);
    const last = mean(mul(x, 1e308), { axis: 1 }).mul(10);
    const exploded = firstNonFinite(last, { x: [[1, 1], [1, 1]] })!;
    expect(exploded.node).toBe(last);
    expect(exploded.value).toBe(Infinity);
    expect(exploded.operands).toEqual([1e308, 10]);
  });
});
