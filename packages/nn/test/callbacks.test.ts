/**
 * Callbacks: the order of the hooks and their epoch and batch numbers, async hooks awaited
 * before training goes on, `model.stopTraining` from a batch or an epoch, and `earlyStopping`
 * with Keras' patience semantics (scripted logs on a stand-in model, then a real run whose
 * validation loss rises and whose best weights are restored).
 */
import { type Tensor, tensor } from '@stablegrad/core';
import {
  adam, binaryCrossentropy, type Callback, dense, earlyStopping, type EarlyStoppingOptions, type Logs, meanSquaredError, ModelError, sequential, sgd,
  type TrainingModel,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { differ, expectSameBits, rejection, separable, SILENT, snapshot } from './helpers.js';

function tinyModel() {
  const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 5 });
  m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
  return m;
}
const DATA = separable(6, 2, 1);

/** A callback that writes each hook call into `events`. */
function recorder(events: string[], tag = ''): Callback {
  return {
    onTrainBegin: () => { events.push(`${tag}trainBegin`); },
    onEpochBegin: (epoch) => { events.push(`${tag}epochBegin ${epoch}`); },
    onBatchEnd: (batch) => { events.push(`${tag}batchEnd ${batch}`); },
    onEpochEnd: (epoch) => { events.push(`${tag}epochEnd ${epoch}`); },
    onTrainEnd: () => { events.push(`${tag}trainEnd`); },
  };
}

describe('hooks', () => {
  it('run in order with 0-based epoch and batch numbers', async () => {
    const events: string[] = [];
    await tinyModel().fit(DATA.x, DATA.y, { epochs: 2, batchSize: 2, ...SILENT, callbacks: [recorder(events)] });
    const epoch = (e: number) => [`epochBegin ${e}`, 'batchEnd 0', 'batchEnd 1', 'batchEnd 2', `epochEnd ${e}`];
    expect(events).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
  });

  it('several callbacks are called in the order given, for each hook', async () => {
    const events: string[] = [];
    await tinyModel().fit(DATA.x, DATA.y, { epochs: 1, batchSize: 6, ...SILENT, callbacks: [recorder(events, 'a:'), recorder(events, 'b:')] });
    expect(events).toEqual(['a:trainBegin', 'b:trainBegin', 'a:epochBegin 0', 'b:epochBegin 0', 'a:batchEnd 0', 'b:batchEnd 0', 'a:epochEnd 0', 'b:epochEnd 0', 'a:trainEnd', 'b:trainEnd']);
  });

  it('async hooks are awaited: no step runs while a hook is pending', async () => {
    const m = tinyModel();
    const events: string[] = [];
    const pause = () => new Promise<void>((resolve) => { setTimeout(resolve, 2); });
    const slow: Callback = {
      onTrainBegin: async () => { await pause(); events.push('trainBegin done'); },
      onBatchEnd: async (batch) => {
        const stepsBefore = m.compiled!.state.iterations;
        await pause();
        events.push(`batch ${batch} done, steps ${stepsBefore} -> ${m.compiled!.state.iterations}`);
      },
      onEpochEnd: async (epoch) => { await pause(); events.push(`epoch ${epoch} done`); },
    };
    await m.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 3, ...SILENT, callbacks: [slow, recorder(events)] });
    expect(events).toEqual([
      'trainBegin done', 'trainBegin',
      'epochBegin 0', 'batch 0 done, steps 1 -> 1', 'batchEnd 0', 'batch 1 done, steps 2 -> 2', 'batchEnd 1', 'epoch 0 done', 'epochEnd 0',
      'epochBegin 1', 'batch 0 done, steps 3 -> 3', 'batchEnd 0', 'batch 1 done, steps 4 -> 4', 'batchEnd 1', 'epoch 1 done', 'epochEnd 1',
      'trainEnd',
    ]);
  });

  it('onEpochEnd gets the epoch\'s logs (validation included) and onTrainEnd the last ones', async () => {
    const epochLogs: Logs[] = [];
    let endLogs: Logs | undefined;
    const { history } = await tinyModel().fit(DATA.x, DATA.y, {
      epochs: 2, batchSize: 2, validationData: [DATA.x, DATA.y], ...SILENT,
      callbacks: [{ onEpochEnd: (_e, logs) => { epochLogs.push(logs); }, onTrainEnd: (logs) => { endLogs = logs; } }],
    });
    const keys = ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss'];
    expect(epochLogs.map((l) => Object.keys(l).sort())).toEqual([keys, keys]);
    expect(epochLogs[1]).toEqual({ loss: history.loss![1], accuracy: history.accuracy![1], val_loss: history.val_loss![1], val_accuracy: history.val_accuracy![1], learning_rate: 0.1 });
    expect(endLogs).toEqual(epochLogs[1]);
  });
});

describe('model.stopTraining', () => {
  it('set in onBatchEnd stops after that batch; the epoch still ends and training ends', async () => {
    const m = tinyModel();
    const events: string[] = [];
    const stopper: Callback = { onBatchEnd: (batch, _logs, model) => { if (batch === 1) model.stopTraining = true; } };
    const history = await m.fit(DATA.x, DATA.y, { epochs: 5, batchSize: 2, ...SILENT, callbacks: [stopper, recorder(events)] });
    expect(events).toEqual(['trainBegin', 'epochBegin 0', 'batchEnd 0', 'batchEnd 1', 'epochEnd 0', 'trainEnd']);
    expect(m.compiled!.state.iterations).toBe(2);
    expect(history.epoch).toEqual([0]);
  });

  it('set in onEpochEnd stops before the next epoch', async () => {
    const m = tinyModel();
    const stopper: Callback = { onEpochEnd: (epoch, _logs, model) => { if (epoch === 1) model.stopTraining = true; } };
    const history = await m.fit(DATA.x, DATA.y, { epochs: 5, batchSize: 2, ...SILENT, callbacks: [stopper] });
    expect(history.epoch).toEqual([0, 1]);
    expect(m.compiled!.state.iterations).toBe(6);
  });

  it('is reset by the next fit', async () => {
    const m = tinyModel();
    await m.fit(DATA.x, DATA.y, { epochs: 3, ...SILENT, callbacks: [{ onEpochEnd: (_e, _l, model) => { model.stopTraining = true; } }] });
    expect(m.stopTraining).toBe(true);
    const history = await m.fit(DATA.x, DATA.y, { epochs: 3, ...SILENT });
    expect(history.epoch).toEqual([0, 1, 2]);
  });
});

/** A stand-in model whose weights are one number: the epoch at which they were set. */
function standIn(): TrainingModel & { current: number; restoredTo: number | undefined } {
  const weightsOf = (v: number): Tensor[] => [tensor([v])];
  return {
    stopTraining: false,
    current: -1,
    restoredTo: undefined,
    getWeights() { return weightsOf(this.current); },
    setWeights(weights) { this.restoredTo = weights[0]!.data[0]!; },
  };
}

/** Feeds `values` of the monitored log to earlyStopping epoch by epoch, as fit would; returns where it stopped. */
async function script(options: EarlyStoppingOptions, values: readonly number[], log = 'val_loss') {
  const stop = earlyStopping(options);
  const model = standIn();
  await stop.onTrainBegin?.(model);
  let epochs = 0;
  for (let epoch = 0; epoch < values.length && !model.stopTraining; epoch++) {
    model.current = epoch;
    await stop.onEpochEnd?.(epoch, { loss: 0, [log]: values[epoch]! }, model);
    epochs++;
  }
  return { stoppedEpoch: stop.stoppedEpoch(), epochs, restoredTo: model.restoredTo };
}

describe('earlyStopping, Keras\' semantics', () => {
  // Keras: wait += 1 each epoch without improvement (reset to 0 on one); stop when wait >= patience.
  const losses = [1.0, 0.9, 0.95, 0.92, 0.8, 0.85];

  it('patience 2 stops after two epochs without improvement', async () => {
    expect(await script({ patience: 2 }, losses)).toEqual({ stoppedEpoch: 3, epochs: 4, restoredTo: undefined });
  });

  it('patience 0 (the default) stops at the first epoch without improvement', async () => {
    expect((await script({}, losses)).stoppedEpoch).toBe(2);
  });

  it('patience longer than the stalls never stops', async () => {
    expect(await script({ patience: 3 }, losses)).toEqual({ stoppedEpoch: undefined, epochs: 6, restoredTo: undefined });
  });

  it('minDelta: a change smaller than it is no improvement', async () => {
    const slow = [1.0, 0.97, 0.95, 0.93];
    expect((await script({ patience: 2 }, slow)).stoppedEpoch).toBeUndefined();
    // 0.97 is not below 1.0 - 0.05; 0.95 is not below it either: two epochs without improvement.
    expect((await script({ patience: 2, minDelta: 0.05 }, slow)).stoppedEpoch).toBe(2);
  });

  it('accuracies are maximised (mode chosen from the name), or by mode: max', async () => {
    const accuracies = [0.5, 0.6, 0.6, 0.55];
    expect((await script({ monitor: 'val_accuracy', patience: 1 }, accuracies, 'val_accuracy')).stoppedEpoch).toBe(2);
    expect((await script({ monitor: 'score', mode: 'max', patience: 1 }, accuracies, 'score')).stoppedEpoch).toBe(2);
    // Minimised, the same values improve only at epoch 3.
    expect((await script({ monitor: 'score', mode: 'min', patience: 1 }, accuracies, 'score')).stoppedEpoch).toBe(1);
  });

  it('restoreBestWeights puts back the weights of the best epoch when it stops', async () => {
    expect(await script({ patience: 2, restoreBestWeights: true }, losses)).toEqual({ stoppedEpoch: 3, epochs: 4, restoredTo: 1 });
  });

  it('a monitored log that is missing is a ModelError', async () => {
    const error = await rejection(tinyModel().fit(DATA.x, DATA.y, { epochs: 2, ...SILENT, callbacks: [earlyStopping()] }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/earlyStopping: the logs have no 'val_loss' \(they have loss, accuracy, learning_rate\)/);
  });
});

describe('earlyStopping in a real run', () => {
  it('stops when the validation loss rises and restores the best epoch\'s weights', async () => {
    // Validation labels flipped: the better the model fits the training data, the worse val_loss.
    const train = separable(16, 2, 3);
    const flipped = train.y.map((label) => 1 - label);
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 5 });
    m.compile({ loss: binaryCrossentropy(), optimizer: adam({ learningRate: 0.1 }) });
    const weightsAtEpochEnd: number[][][] = [];
    const stop = earlyStopping({ patience: 2, restoreBestWeights: true });
    const { history, epoch } = await m.fit(train.x, train.y, {
      epochs: 20, batchSize: 4, validationData: [train.x, flipped], ...SILENT,
      callbacks: [{ onEpochEnd: (_e, _l, model) => { weightsAtEpochEnd.push(snapshot(model.getWeights())); } }, stop],
    });
    const valLoss = history.val_loss!;
    const best = valLoss.indexOf(Math.min(...valLoss));
    expect(best).toBe(0); // rising from the first epoch on
    expect(stop.stoppedEpoch()).toBe(2);
    expect(epoch).toEqual([0, 1, 2]);
    expectSameBits(m.getWeights(), weightsAtEpochEnd[best]!);
    expect(differ(weightsAtEpochEnd[2]!, weightsAtEpochEnd[best]!)).toBe(true); // the restore changed something
    expect(m.evaluate(train.x, flipped).loss).toBe(valLoss[best]);
  });

  it('a reused earlyStopping starts afresh at onTrainBegin', async () => {
    const stop = earlyStopping({ patience: 1 });
    const model = standIn();
    await stop.onTrainBegin?.(model);
    await stop.onEpochEnd?.(0, { val_loss: 1 }, model);
    await stop.onEpochEnd?.(1, { val_loss: 2 }, model);
    expect(stop.stoppedEpoch()).toBe(1);
    model.stopTraining = false;
    await stop.onTrainBegin?.(model);
    await stop.onEpochEnd?.(0, { val_loss: 5 }, model); // worse than the old best, but the best was reset
    expect(stop.stoppedEpoch()).toBeUndefined();
    expect(model.stopTraining).toBe(false);
  });
});

describe('earlyStopping at the first epoch', () => {
  it('never stops after epoch 0, as Keras (nothing to compare with yet), even with patience 0 and a NaN monitor', async () => {
    const stop = earlyStopping({ monitor: 'odd', patience: 0 });
    const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 0.01 }) });
    const oddLog: Callback = { onEpochEnd: (_epoch, logs) => { (logs as { odd?: number }).odd = NaN; } };
    const history = await m.fit([[1, 2], [3, 4]], [1, 2], { epochs: 2, callbacks: [oddLog, stop], ...SILENT });
    expect(history.epoch).toEqual([0, 1]);
    expect(stop.stoppedEpoch()).toBe(1);
  });
});
