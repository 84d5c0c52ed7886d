import { describe, expect, it } from 'vitest';
import { input, log, logSigmoid, sigmoid, softplus } from '@stablegrad/core';
import { compareRewrite, expectRewriteAccurate } from '@stablegrad/testing';

describe('compareRewrite', () => {
  it('accepts a stable rewrite where the naive graph overflows', () => {
    const z = input([4], { name: 'z' });
    const naive = log(sigmoid(z));
    const feeds = { z: [-200, -20, 0, 30] };
    const c = expectRewriteAccurate(naive, logSigmoid(z), feeds, { ulp: 2 });
    expect(c.finite).toBe(true);
    // float32 sigmoid(-200) is 0, so the naive log is -Infinity, as far as a float32 can be.
    expect(c.originalUlp).toBeGreaterThan(1e9);
    expect(c.semanticUlp).toBe(0);
  });

  it('reports a rewrite that changes the meaning', () => {
    const z = input([2], { dtype: 'float64', name: 'z' });
    expect(() => expectRewriteAccurate(logSigmoid(z), softplus(z), { z: [1, 2] }, { ulp: 4 })).toThrow(/mean different things/);
    const c = compareRewrite(logSigmoid(z), softplus(z), { z: [1, 2] }, 4);
    expect(c.semanticUlp).toBeGreaterThan(1e10);
  });
});
