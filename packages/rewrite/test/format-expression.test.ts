// formatExpression: one line in call syntax, attributes in braces (keepDims=false left out),
// inputs by name, scalar constants by value, named nodes by their given name, `…` below the depth.
import { describe, expect, it } from 'vitest';
import { constant, input, log, sigmoid, sum } from '@stablegrad/core';
import { formatExpression, toSExpr } from '@stablegrad/rewrite';

describe('formatExpression', () => {
  const z = input([2, 3], { name: 'z' });

  it('prints call syntax with attributes, names and constants', () => {
    expect(formatExpression(log(sigmoid(z)))).toBe('log(sigmoid(z))');
    expect(formatExpression(sum(z, { axis: 1 }))).toBe('sum{axes=[1]}(z)');
    expect(formatExpression(sum(z, { axis: 1, keepDims: true }))).toBe('sum{axes=[1], keepDims=true}(z)');
    expect(formatExpression(z.mul(constant(-0)))).toBe('mul(z, -0)');
    expect(formatExpression(z.add(constant([[1, 2, 3]])))).toBe('add(z, const[1,3])');
  });

  it('prints nodes of `names` by name and cuts at `depth`', () => {
    const p = sigmoid(z);
    expect(formatExpression(log(p), new Map([[p, 'p']]))).toBe('log(p)');
    expect(formatExpression(log(log(p)), new Map(), 1)).toBe('log(…)');
  });

  it('keeps its former name, toSExpr, as the same function', () => {
    expect(toSExpr).toBe(formatExpression);
  });
});
