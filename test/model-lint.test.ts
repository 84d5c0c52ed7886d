// model.lint (lintModel) on the example models with their own data: what the models train (stabilized by
// compile) raises no flag, while the loss as written (probabilities, Keras-style clipping) is
// flagged where it loses digits, and the report says stabilize fixes it.
import { describe, expect, it } from 'vitest';
import { binaryCrossentropy, lintModel, sgd } from 'stablegrad';
import { digitsModel } from '../examples/src/digits-model.js';
import { DIGITS_PATH, loadDigits } from '../examples/src/data/digits.js';
import { BREAST_CANCER_PATH, fitStandardizer, loadBreastCancer, standardize } from '../examples/src/data/breast-cancer.js';
import { breastCancerModel } from '../examples/src/train-breast-cancer.js';
import { multilabelModel, scenes } from '../examples/src/multilabel.js';

const SAMPLES = 40;

describe('model.lint on the example models and their data', () => {
  it('digits (softmax + sparse cross-entropy on probabilities): the trained graph is clean', async () => {
    const data = loadDigits(DIGITS_PATH);
    const report = await lintModel(digitsModel(42), { x: { dtype: 'float64', shape: [data.rows, 64], data: data.features }, y: Int32Array.from(data.labels), samples: SAMPLES });
    expect(report.samples).toBe(SAMPLES);
    expect(report.stabilized?.lint.flagged.map((n) => n.node.path)).toEqual([]);
    expect(report.stabilized?.clean).toBe(true);
  });

  it('breast cancer, sigmoid + binary cross-entropy: clean as trained, flagged as written', async () => {
    const data = loadBreastCancer(BREAST_CANCER_PATH);
    const scaled = standardize(data, fitStandardizer(data));
    const model = breastCancerModel('sigmoid', binaryCrossentropy(), sgd({ learningRate: 0.1 }), data.featureCount, 42);
    const report = await lintModel(model, { x: { dtype: 'float64', shape: [scaled.rows, scaled.featureCount], data: scaled.features }, y: scaled.labels, samples: SAMPLES });
    expect(report.stabilized?.clean).toBe(true);
    // Data rows give moderate logits: the written loss may be clean on them too; drawn inputs reach its weak spot.
    const drawn = await lintModel(model, { samples: 150, ranges: { x: [-1e4, 1e4] } });
    expect(drawn.flagged.length).toBeGreaterThan(0);
    expect(drawn.flagged.every((n) => n.stabilize === 'fixed')).toBe(true);
  });

  it('multilabel (sigmoid outputs, binary cross-entropy): the trained graph is clean', async () => {
    const { x, y } = scenes(400, 7);
    const report = await multilabelModel(7).lint({ x, y, samples: SAMPLES });
    expect(report.stabilized?.lint.flagged.map((n) => n.node.path)).toEqual([]);
  });

  it('rowsPerSample makes each sample a batch; bad options are ModelErrors', async () => {
    const { x, y } = scenes(50, 7);
    const model = multilabelModel(7);
    const report = await lintModel(model, { x, y, rowsPerSample: 8, samples: 5 });
    expect(report.samples).toBe(5);
    await expect(lintModel(model, { x })).rejects.toThrow(/give both x and y/);
    await expect(lintModel(model, { x, y, rowsPerSample: 0 })).rejects.toThrow(/rowsPerSample must be a whole number/);
  });
});
