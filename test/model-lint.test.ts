// model.lint (lintModel) on the example models with their own data: what the models train (stabilized by
// compile) raises no flag, while the loss as written (probabilities, Keras-style clipping) is
// flagged where it loses digits, and the report says stabilize fixes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromJSON } from '@stablegrad/core';
import { lint } from '@stablegrad/lint';
import { prepareTraining } from '@stablegrad/rewrite';
import { binaryCrossentropy, lintModel, sgd } from 'stablegrad';
import { digitsModel } from '../examples/src/digits-model.js';
import { DIGITS_PATH, loadDigits } from '../examples/src/data/digits.js';
import { BREAST_CANCER_PATH, fitStandardizer, loadBreastCancer, standardize } from '../examples/src/data/breast-cancer.js';
import { breastCancerModel } from '../examples/src/train-breast-cancer.js';
import { multilabelModel, scenes } from '../examples/src/multilabel.js';

const SAMPLES = 40;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

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

describe('the example graph files, as stabilize leaves them, raise no flag', () => {
  for (const name of ['naive-bce', 'keras-cce', 'logistic-regression', 'digits-model']) {
    it(`examples/graphs/${name}.json: loss and gradients after prepareTraining`, () => {
      const g = fromJSON(JSON.parse(readFileSync(join(ROOT, `examples/graphs/${name}.json`), 'utf8')));
      const loss = g.outputs[0]!;
      const params = g.nodes.filter((n) => n.op === 'param');
      const training = prepareTraining({ loss: loss.shape.length === 0 ? loss : loss.mean(), params }, { stabilize: true });
      const labels = g.nodes.find((n) => n.op === 'input' && n.name === 'y')!;
      const report = lint(training.graph, { samples: 60, stabilize: false, ranges: labels.dtype === 'int32' ? {} : { y: [0, 1] } });
      expect(report.flagged.map((n) => `${n.node.path} ${n.local.mean.toFixed(1)} ${n.region?.condition}`)).toEqual([]);
    });
  }
});
