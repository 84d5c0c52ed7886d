import { describe, expect, it } from 'vitest';
import { graph, input, param, printGraph, scope, sum } from '@stablegrad/core';

describe('printGraph', () => {
  it('prints one line per node with ids from graph order, scopes and shapes', () => {
    const x = input(['batch', 2], { name: 'x' });
    const loss = scope('layer', () => {
      const b = param([0, 0], { name: 'b' });
      return sum(x.add(b).exp(), { axis: 1 });
    });
    expect(printGraph(graph({ loss }))).toBe(
      [
        '%0 = input [batch, 2] float32  # x',
        '%1 = param [2] float32  # layer/b',
        '%2 = add(%0, %1) [batch, 2] float32  # layer/add',
        '%3 = exp(%2) [batch, 2] float32  # layer/exp',
        '%4 = sum(%3) {axes=[1], keepDims=false} [batch] float32  # layer/sum',
        'outputs: loss=%4',
      ].join('\n'),
    );
  });

  it('does not depend on how many nodes were built before', () => {
    const build = () => {
      const x = input([2], { name: 'x' });
      return printGraph(x.mul(2).add(1));
    };
    const first = build();
    input([5]).exp();
    expect(build()).toBe(first);
  });
});
