// Rules that drop an operand must not change the result's shape: `1 - sigmoid(z)` with ones
// larger than z stays as written instead of crashing the engine with an ill-typed replacement.
import { describe, expect, it } from 'vitest';
import { constant, evaluate, input, log, sigmoid, sub } from '@stablegrad/core';
import { formatExpression, stabilize } from '@stablegrad/rewrite';

describe('one-minus-sigmoid under broadcasting', () => {
  it('leaves 1 - sigmoid(z) alone when the ones broadcast z to a larger shape', () => {
    const z = input([], { name: 'z', dtype: 'float64' });
    const ones = constant([1, 1, 1], { dtype: 'float64' });
    const { graph } = stabilize(sub(ones, sigmoid(z)));
    expect(formatExpression(graph.outputs[0]!)).toBe('sub(const[3], sigmoid(z))');
    expect(Array.from(evaluate(graph.outputs[0]!, { z: 0 }).data)).toEqual([0.5, 0.5, 0.5]);
  });

  it('still rewrites when the ones have z\'s shape or fewer dimensions', () => {
    const z = input([3], { name: 'z' });
    expect(formatExpression(stabilize(log(sub(1, sigmoid(z)))).graph.outputs[0]!)).toBe('logSigmoid(neg(z))');
    expect(formatExpression(stabilize(log(sub(constant([[1], [1]]), sigmoid(z)))).graph.outputs[0]!)).toBe('log(sub(const[2,1], sigmoid(z)))');
  });
});
