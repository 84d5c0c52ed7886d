// Regressions of the fused cross-entropies where float sums overflow: dense softmax
// cross-entropy and its gradient at spreads beyond the largest double (z = [MAX, -MAX]) and
// labels summing past it; sigmoid cross-entropy with labels outside [0, 1] at |z| = MAX. The true
// values come from the testing kit's 60-digit reference, which never overflows.
import { describe, expect, it } from 'vitest';
import {
  type DType, evaluate, input, sigmoidCrossEntropyWithLogits, softmaxCrossEntropyGrad, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits,
} from '@stablegrad/core';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';

const MAX64 = Number.MAX_VALUE;
const MAX32 = 3.4028234663852886e38;

/** Loss and gradient of one row, from the kernels and from the reference. */
function row(z: readonly number[], y: readonly number[], dtype: DType) {
  const zi = input([1, z.length], { dtype, name: 'z' });
  const yi = input([1, z.length], { dtype, name: 'y' });
  const outs = [softmaxCrossEntropyWithLogits(zi, yi), softmaxCrossEntropyGrad(zi, yi)];
  const feeds = { z: [z as number[]], y: [y as number[]] };
  return outs.map((o) => ({ got: Array.from(evaluate(o, feeds).data), want: referenceEvaluate(o, feeds).values }));
}

function expectClose(got: readonly number[], want: readonly number[], dtype: DType, what: string): void {
  got.forEach((g, i) => {
    expect(Number.isNaN(g), `${what}[${i}] is NaN, reference ${want[i]}`).toBe(Number.isNaN(want[i]!));
    expect(ulpDistance(g, want[i]!, dtype), `${what}[${i}]: ${g}, reference ${want[i]}`).toBeLessThanOrEqual(4);
  });
}

describe('softmax cross-entropy where float sums overflow', () => {
  it('z = [MAX, -MAX] with the label on the small logit is +Infinity, as the sparse loss says (was NaN: Inf - Inf in a compensation term)', () => {
    const [loss, g] = row([MAX64, -MAX64], [0, 1], 'float64');
    expect(loss!.got).toEqual([Infinity]);
    expect(g!.got).toEqual([1, -1]);
    const sparse = sparseSoftmaxCrossEntropyWithLogits(input([1, 2], { dtype: 'float64', name: 'z' }), input([1], { dtype: 'int32', name: 'l' }));
    expect(Array.from(evaluate(sparse, { z: [[MAX64, -MAX64]], l: [1] }).data)).toEqual([Infinity]);
  });

  it('huge spreads: Infinity exactly where the truth overflows, MAX where it does not', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const M = dtype === 'float64' ? MAX64 : MAX32;
      for (const [z, y] of [
        [[MAX64, -MAX64], [0, 1]], [[-MAX64, MAX64], [1, 0]], [[MAX64, -MAX64], [0.3, 0.7]], [[MAX64, -MAX64], [0.5, 0.5]],
        [[MAX64, -MAX64], [1, 1]], [[MAX64, -MAX64, 0], [0.25, 0.25, 0.5]], [[M, -M], [0, 1]],
      ] as const) {
        const [loss, g] = row(z.map((v) => Math.max(-M, Math.min(M, v))), y, dtype);
        expectClose(loss!.got, loss!.want, dtype, `${dtype} loss ${z} ${y}`);
        expectClose(g!.got, g!.want, dtype, `${dtype} grad ${z} ${y}`);
      }
    }
  });

  it('labels summing past MAX: finite gradients where the truth is finite (was NaN: the label sum overflowed)', () => {
    const [loss, g] = row([0, 0], [MAX64, MAX64], 'float64');
    expect(loss!.got).toEqual([Infinity]);
    expect(g!.got).toEqual([0, 0]);
    for (const [z, y] of [
      [[MAX64, -MAX64], [MAX64, MAX64]], [[1, 0, -1], [MAX64, MAX64 / 2, MAX64 / 4]], [[0, -800], [MAX64, 2 ** 970]], [[3, 3], [MAX64, MAX64 * 0.75]],
    ] as const) {
      const [l, gr] = row(z, y, 'float64');
      expectClose(l!.got, l!.want, 'float64', `loss ${z} ${y}`);
      expectClose(gr!.got, gr!.want, 'float64', `grad ${z} ${y}`);
    }
  });

  it('labels summing past MAX with a finite loss: recomputed without overflow', () => {
    // loss = MAX e^-800 + 2^970 (800 + log1p(e^-800)): finite although MAX + 2^970 rounds to Infinity
    const [loss] = row([0, -800], [MAX64, 2 ** 970], 'float64');
    expect(Number.isFinite(loss!.got[0])).toBe(true);
    expectClose(loss!.got, loss!.want, 'float64', 'loss');
  });
});

describe('sigmoid cross-entropy where the linear term overflows', () => {
  it('labels outside [0, 1] at |z| = MAX give the infinite loss (was NaN: Inf - Inf in the compensation; found by test/fused-edges)', () => {
    const z = input([4], { dtype: 'float64', name: 'z' });
    const y = input([4], { dtype: 'float64', name: 'y' });
    const loss = sigmoidCrossEntropyWithLogits(z, y);
    const feeds = { z: [MAX64, -MAX64, MAX64, -MAX64], y: [-0.5, 2, 2, -0.5] };
    const got = Array.from(evaluate(loss, feeds).data);
    expect(got.slice(0, 2)).toEqual([Infinity, Infinity]);
    expectClose(got, referenceEvaluate(loss, feeds).values, 'float64', 'loss');
  });
});

describe('softmax cross-entropy with -Infinity logits (masked classes)', () => {
  it('a label on a masked class makes the loss +Infinity, as the sparse loss and the reference say (was NaN); a padding row of masked logits without labels is 0', () => {
    const cases: [number[], number[], number][] = [
      [[-Infinity, 0, 1], [1, 0, 0], Infinity],
      [[-Infinity, 0, 1], [0.2, 0.3, 0.5], Infinity],
      [[-Infinity, -Infinity, 2], [0, 1, 0], Infinity],
      [[Infinity, 0, 1], [0, 1, 0], Infinity],
      [[-Infinity, -Infinity, -Infinity], [0, 0, 0], 0],
    ];
    for (const dtype of ['float64', 'float32'] as const) {
      for (const [z, y, want] of cases) {
        const [loss] = row(z, y, dtype);
        expect(loss!.got, `${dtype} ${z} ${y}`).toEqual([want]);
        expect(loss!.want).toEqual([want]);
      }
    }
    // the finite loss of a label on an unmasked class is unchanged
    const [loss] = row([-Infinity, 0, 1], [0, 1, 0], 'float64');
    expectClose(loss!.got, loss!.want, 'float64', 'masked row');
  });
});
