/**
 * `modelCheckpoint`, Keras' `ModelCheckpoint`: every epoch or only the best, paths from
 * `{epoch}` and log placeholders, each save atomic (no temporary file left behind).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor } from '@stablegrad/core';
import { adam, dense, loadModel, ModelError, modelCheckpoint, sequential } from '@stablegrad/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DATA = blobs(30, 3, 3, 2);

function classifier() {
  const m = sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed: 21 });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
  return m;
}

describe('modelCheckpoint', () => {
  it('saves every epoch under {epoch:02d} names; each file is the model at the end of its epoch', async () => {
    const sub = mkdtempSync(join(dir, 'every-'));
    const m = classifier();
    const weights: Tensor[][] = [];
    await m.fit(DATA.x, DATA.y, {
      epochs: 3, batchSize: 8, ...SILENT,
      callbacks: [modelCheckpoint({ filepath: join(sub, 'model-{epoch:02d}-{loss:.3f}.json') }), { onEpochEnd: (_e, _l, model) => { weights.push(model.getWeights()); } }],
    });
    const names = readdirSync(sub).sort();
    expect(names).toHaveLength(3);
    expect(names.map((n) => n.slice(0, 9))).toEqual(['model-01-', 'model-02-', 'model-03-']);
    expect(names.every((n) => /^model-0\d-\d+\.\d{3}\.json$/.test(n))).toBe(true);
    names.forEach((n, i) => expectSameBits(loadModel(join(sub, n)).getWeights(), weights[i]!));
  });

  it('saveBestOnly writes only when the monitored log improves, in its mode', async () => {
    const sub = mkdtempSync(join(dir, 'best-'));
    const m = classifier();
    const values: number[] = [];
    const saves: number[] = [];
    const best = modelCheckpoint({ filepath: join(sub, 'best.json'), monitor: 'val_accuracy', saveBestOnly: true });
    let bestWeights: Tensor[] | undefined;
    await m.fit(DATA.x, DATA.y, {
      epochs: 6, batchSize: 4, validationSplit: 0.3, ...SILENT,
      callbacks: [best, {
        onEpochEnd: (epoch, logs, model) => {
          values.push(logs.val_accuracy!);
          if (best.lastSaved()?.epoch === epoch) {
            saves.push(epoch);
            bestWeights = model.getWeights();
          }
        },
      }],
    });
    // max mode (the name holds 'acc'): a save exactly when a new maximum is reached
    const expected = values.flatMap((v, i) => (values.slice(0, i).every((u) => v > u) ? [i] : []));
    expect(saves).toEqual(expected);
    expect(best.lastSaved()).toEqual({ path: join(sub, 'best.json'), epoch: expected.at(-1), value: Math.max(...values) });
    expectSameBits(loadModel(join(sub, 'best.json')).getWeights(), bestWeights!);
    expect(readdirSync(sub)).toEqual(['best.json']);
  });

  it('a monitored log that is absent, or a placeholder naming one, is a ModelError', async () => {
    const m = classifier();
    await expect(m.fit(DATA.x, DATA.y, { ...SILENT, callbacks: [modelCheckpoint({ filepath: join(dir, 'x.json'), saveBestOnly: true })] }))
      .rejects.toThrow(/modelCheckpoint: the logs have no 'val_loss' \(they have loss, accuracy, learning_rate\)/);
    await expect(m.fit(DATA.x, DATA.y, { ...SILENT, callbacks: [modelCheckpoint({ filepath: join(dir, 'x-{val_loss}.json') })] }))
      .rejects.toThrow(ModelError);
  });
});
