// The random loss graphs: every case builds, evaluates with its feeds, round-trips through
// JSON, and has the inputs its recipe promises (valid labels, probability rows, extremes).
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { evaluate, printGraph, graph as collect } from '@stablegrad/core';
import { buildLossGraph, LOSS_SPELLINGS, type LossCase, lossCaseOf, lossGraphOf, type LossRecipe, propertyParams } from '@stablegrad/testing';

const FAMILIES: readonly LossRecipe['loss']['family'][] = ['binary', 'categorical', 'sparse', 'cancellation'];

describe('lossCaseOf', () => {
  test.prop([lossCaseOf()], propertyParams(200))('builds a graph that evaluates, the same again from JSON', (lossCase) => {
    const g = buildLossGraph(lossCase);
    const out = evaluate(g.output, g.feeds);
    expect(out.dtype).toBe(lossCase.recipe.dtype);
    const again = buildLossGraph(JSON.parse(JSON.stringify(lossCase)) as LossCase);
    expect(printGraph(collect(again.output))).toBe(printGraph(collect(g.output)));
    // JSON writes -0 as 0; otherwise the values are the same.
    const unsigned = (xs: ArrayLike<number>) => Array.from(xs, (x) => (x === 0 ? 0 : x));
    expect(unsigned(evaluate(again.output, again.feeds).data)).toEqual(unsigned(out.data));
  });

  test.prop([lossCaseOf()], propertyParams(200))('feeds valid labels and probability rows', ({ recipe, values }) => {
    const { loss, classes, dtype } = recipe;
    const representable = (x: number) => dtype === 'float64' || Math.fround(x) === x;
    for (const data of Object.values(values)) expect(data.every((x) => Number.isFinite(x) && representable(x))).toBe(true);
    if (values['labels'] !== undefined) expect(values['labels'].every((k) => Number.isInteger(k) && k >= 0 && k < classes)).toBe(true);
    if (loss.family === 'binary' && values['y'] !== undefined) expect(values['y'].every((y) => y >= 0 && y <= 1)).toBe(true);
    if (loss.family === 'categorical' && values['y'] !== undefined) {
      // Lanes along the softmax axis sum to 1 (to rounding).
      const rank2 = recipe.batch > 0;
      const y = values['y'];
      const lanes = rank2 && loss.axis === 0
        ? Array.from({ length: classes }, (_, j) => Array.from({ length: recipe.batch }, (_, i) => y[i * classes + j]!))
        : Array.from({ length: y.length / classes }, (_, i) => y.slice(i * classes, (i + 1) * classes));
      for (const lane of lanes) {
        expect(lane.every((p) => p >= 0)).toBe(true);
        expect(Math.abs(lane.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
      }
    }
    if (values['weights'] !== undefined) expect(values['weights'].every((w) => w >= 0 && w <= 1)).toBe(true);
  });

  it('reaches every family, both dtypes, Keras clips, affine logits and extreme logits', () => {
    const cases = fc.sample(lossCaseOf(), { numRuns: 500, seed: 1 });
    for (const family of FAMILIES) expect(cases.some((c) => c.recipe.loss.family === family)).toBe(true);
    expect(new Set(cases.map((c) => c.recipe.dtype))).toEqual(new Set(['float32', 'float64']));
    expect(cases.some((c) => 'clip' in c.recipe.loss && c.recipe.loss.clip)).toBe(true);
    expect(cases.some((c) => c.recipe.logits.source === 'matmul')).toBe(true);
    expect(cases.some((c) => (c.values['z'] ?? []).some((z) => Math.abs(z) > 1e3))).toBe(true);
  });

  it('keeps signed expressions unreduced and without shifts', () => {
    const cases = fc.sample(lossCaseOf({ families: ['cancellation'] }), { numRuns: 100, seed: 2 });
    expect(cases.every((c) => c.recipe.reduce.length === 0 && c.recipe.noise.every((n) => n.op !== 'shift'))).toBe(true);
  });

  it('lossGraphOf prints a failing graph as its plain-data case', () => {
    const [g] = fc.sample(lossGraphOf({ families: ['sparse'], dtypes: ['float32'] }), { numRuns: 1, seed: 3 });
    expect(fc.stringify(g)).toBe(JSON.stringify(g!.case));
    expect(g!.case.recipe.loss.family).toBe('sparse');
    expect(g!.output.dtype).toBe('float32');
  });
});

describe('the spelling family', () => {
  test.prop([lossCaseOf({ families: ['spelling'] })], propertyParams(200))('builds every catalogue entry over its recipe, from JSON too', (lossCase) => {
    const g = buildLossGraph(lossCase);
    const out = evaluate(g.output, g.feeds);
    expect(out.dtype).toBe(lossCase.recipe.dtype);
    const again = buildLossGraph(JSON.parse(JSON.stringify(lossCase)) as LossCase);
    expect(printGraph(collect(again.output))).toBe(printGraph(collect(g.output)));
    const { values, recipe } = lossCase;
    if (values['labels'] !== undefined) expect(values['labels'].every((k) => Number.isInteger(k) && k >= 0 && k < recipe.classes)).toBe(true);
    for (const name of ['y', 'rowY', 'Y']) expect((values[name] ?? []).every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('reaches every entry, each logits source and scale, weights, reductions and guards', () => {
    const cases = fc.sample(lossCaseOf({ families: ['spelling'] }), { numRuns: 1500, seed: 4 });
    const names = new Set(cases.map((c) => (c.recipe.loss as { name: string }).name));
    expect([...names].sort()).toEqual(LOSS_SPELLINGS.map((s) => s.name).sort());
    for (const source of ['input', 'affine', 'matmul']) expect(cases.some((c) => c.recipe.logits.source === source)).toBe(true);
    for (const scale of [2, 0.5, -1]) expect(cases.some((c) => c.recipe.logits.scale === scale)).toBe(true);
    expect(cases.some((c) => c.recipe.weights && c.recipe.reduce.length > 0 && c.recipe.batch > 1)).toBe(true);
    expect(cases.some((c) => buildLossGraph(c).clips.some((g) => g.slack !== undefined))).toBe(true);
  });

  it('restricts the entries to the names given', () => {
    const cases = fc.sample(lossCaseOf({ families: ['spelling'], spellings: ['bce-where'] }), { numRuns: 50, seed: 5 });
    expect(cases.every((c) => c.recipe.loss.family === 'spelling' && c.recipe.loss.name === 'bce-where')).toBe(true);
    // Hard labels only for the where(y == 1, ...) spelling.
    expect(cases.every((c) => c.values['y']!.every((y) => y === 0 || y === 1))).toBe(true);
  });
});
