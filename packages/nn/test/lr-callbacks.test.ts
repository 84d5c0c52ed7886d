/**
 * The callbacks of issue 13: `reduceLROnPlateau` against Keras' and PyTorch's algorithms
 * (transcribed here from keras/src/callbacks/reduce_lr_on_plateau.py and
 * torch.optim.lr_scheduler.ReduceLROnPlateau) on random sequences of monitored values, then in a
 * real run; `learningRateScheduler` (a PyTorch StepLR as a function of the epoch); `csvLogger`
 * (Keras' columns and rows, exact numbers, append, separators, a typed error for a path that
 * cannot be written).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import {
  binaryCrossentropy, cosineDecay, csvLogger, dense, FileWriteError, learningRateScheduler, ModelError, type ModelOptimizer, reduceLROnPlateau,
  type ReduceLROnPlateauOptions, sequential, sgd, type TrainingModel,
} from '@stablegrad/nn';
import { propertyParams } from '@stablegrad/testing';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { expectSameBits, rejection, separable, thrown } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-lr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A stand-in model whose optimizer only holds a learning rate. */
function standIn(learningRate: number): TrainingModel & { optimizer: ModelOptimizer } {
  const optimizer = { learningRate, schedule: undefined } as unknown as ModelOptimizer;
  return { stopTraining: false, getWeights: () => [], setWeights: () => {}, optimizer };
}

/** Keras 3's ReduceLROnPlateau.on_epoch_end, transcribed: the rate after each epoch. */
function kerasPlateau(values: readonly number[], o: Required<Omit<ReduceLROnPlateauOptions, 'monitor' | 'convention' | 'verbose'>>, lr0: number): number[] {
  let [lr, best, wait, cooldown] = [lr0, undefined as number | undefined, 0, 0];
  const better = (a: number, b: number) => (o.mode === 'max' ? a - o.minDelta > b : a + o.minDelta < b);
  return values.map((current) => {
    if (cooldown > 0) {
      cooldown -= 1;
      wait = 0;
    }
    if (best === undefined || better(current, best)) {
      best = current;
      wait = 0;
    } else if (!(cooldown > 0)) {
      wait += 1;
      if (wait >= o.patience && lr > o.minLr) {
        lr = Math.max(lr * o.factor, o.minLr);
        cooldown = o.cooldown;
        wait = 0;
      }
    }
    return lr;
  });
}

/** PyTorch's ReduceLROnPlateau.step (threshold_mode 'rel', eps 1e-8), transcribed. */
function torchPlateau(values: readonly number[], o: Required<Omit<ReduceLROnPlateauOptions, 'monitor' | 'convention' | 'verbose'>>, lr0: number): number[] {
  let [lr, best, bad, cooldown] = [lr0, o.mode === 'max' ? -Infinity : Infinity, 0, 0];
  const better = (a: number) => (o.mode === 'max' ? a > best * (1 + o.minDelta) : a < best * (1 - o.minDelta));
  return values.map((current) => {
    if (better(current)) {
      best = current;
      bad = 0;
    } else {
      bad += 1;
    }
    if (cooldown > 0) {
      cooldown -= 1;
      bad = 0;
    }
    if (bad > o.patience) {
      const next = Math.max(lr * o.factor, o.minLr);
      if (lr - next > 1e-8) lr = next;
      cooldown = o.cooldown;
      bad = 0;
    }
    return lr;
  });
}

describe('reduceLROnPlateau against Keras\' and PyTorch\'s algorithms', () => {
  const settings = fc.record({
    factor: fc.constantFrom(0.1, 0.5, 0.8),
    patience: fc.integer({ min: 0, max: 4 }),
    cooldown: fc.integer({ min: 0, max: 3 }),
    minDelta: fc.constantFrom(0, 1e-4, 0.05),
    minLr: fc.constantFrom(0, 1e-3, 0.02),
    mode: fc.constantFrom('min' as const, 'max' as const),
  });
  // Plateaus and repeats are what the algorithms are about: values from a small set.
  const values = fc.array(fc.constantFrom(0.5, 0.6, 0.62, 0.7, 0.9, 1, 1.2), { minLength: 1, maxLength: 30 });

  it.each(['keras', 'pytorch'] as const)('%s: the same rate after every epoch, on random monitored values', async (convention) => {
    let reductions = 0;
    await fc.assert(fc.asyncProperty(settings, values, async (o, sequence) => {
      const callback = reduceLROnPlateau({ ...o, monitor: 'score', convention });
      const model = standIn(0.1);
      await callback.onTrainBegin?.(model);
      const rates: number[] = [];
      for (const [epoch, score] of sequence.entries()) {
        await callback.onEpochEnd?.(epoch, { score }, model);
        rates.push(model.optimizer.learningRate);
      }
      expect(rates).toEqual((convention === 'keras' ? kerasPlateau : torchPlateau)(sequence, o, 0.1));
      reductions += callback.reductions().length;
    }), propertyParams(300));
    expect(reductions).toBeGreaterThan(50);
  });

  it('the conventions part: Keras reduces after patience bad epochs, PyTorch after more than patience', async () => {
    const run = async (convention: 'keras' | 'pytorch') => {
      const callback = reduceLROnPlateau({ monitor: 'loss', patience: 2, factor: 0.5, convention });
      const model = standIn(0.1);
      await callback.onTrainBegin?.(model);
      for (const [epoch, loss] of [1, 1, 1, 1].entries()) await callback.onEpochEnd?.(epoch, { loss }, model);
      return callback.reductions();
    };
    expect(await run('keras')).toEqual([{ epoch: 2, learningRate: 0.05 }]);
    expect(await run('pytorch')).toEqual([{ epoch: 3, learningRate: 0.05 }]);
  });

  it('in a real run: the rate falls when the validation loss rises, the history and the optimizer show it', async () => {
    const train = separable(16, 2, 3);
    const flipped = train.y.map((label) => 1 - label);
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 5 });
    m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
    const plateau = reduceLROnPlateau({ patience: 1, factor: 0.5 });
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((message: string) => { logged.push(message); });
    const verbose = reduceLROnPlateau({ patience: 1, factor: 0.5, monitor: 'val_loss', verbose: 1, minLr: 0.5 });
    const { history } = await m.fit(train.x, train.y, { epochs: 4, batchSize: 4, validationData: [train.x, flipped], verbose: 0, callbacks: [plateau, verbose] });
    // val_loss rises every epoch: a reduction after each epoch from the second on. An epoch's
    // learning_rate is the rate it trained with (as Keras logs it, before the callback reduces it).
    expect(history.learning_rate).toEqual([0.5, 0.5, 0.25, 0.125]);
    expect(plateau.reductions()).toEqual([{ epoch: 1, learningRate: 0.25 }, { epoch: 2, learningRate: 0.125 }, { epoch: 3, learningRate: 0.0625 }]);
    expect(m.optimizer.learningRate).toBe(0.0625);
    expect(m.compiled!.state.learningRate).toBe(0.0625);
    // The second callback's floor is 0.5: the rate is never above it again, so it never reduces.
    expect(logged).toEqual([]);
  });

  it('prints Keras\' line with verbose: 1', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((message: string) => { logged.push(message); });
    const callback = reduceLROnPlateau({ monitor: 'loss', patience: 0, verbose: 1 });
    const model = standIn(0.1);
    await callback.onTrainBegin?.(model);
    await callback.onEpochEnd?.(0, { loss: 1 }, model);
    await callback.onEpochEnd?.(1, { loss: 2 }, model);
    expect(logged).toEqual([`Epoch 2: ReduceLROnPlateau reducing learning rate to ${0.1 * 0.1}.`]);
  });

  it('refuses an optimizer on a schedule, a missing log, and bad options (ModelError naming them)', async () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    m.compile({ loss: 'meanSquaredError', optimizer: sgd({ learningRate: cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }) }) });
    const scheduled = await rejection(m.fit([[1, 2]], [1], { verbose: 0, callbacks: [reduceLROnPlateau()] }));
    expect(scheduled.message).toMatch(/^reduceLROnPlateau: the optimizer's learning rate follows a schedule \(cosineDecay\); give the optimizer a number as its learningRate/);
    const plain = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    plain.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    expect((await rejection(plain.fit([[1, 2]], [1], { verbose: 0, callbacks: [reduceLROnPlateau()] }))).message)
      .toMatch(/reduceLROnPlateau: the logs have no 'val_loss' \(they have loss, learning_rate\)/);
    for (const [options, message] of [
      [{ factor: 1 }, /reduceLROnPlateau: factor must be a number in \(0, 1\).*got 1/],
      [{ patience: -1 }, /reduceLROnPlateau: patience must be an integer >= 0, got -1/],
      [{ cooldown: 1.5 }, /cooldown must be an integer >= 0, got 1.5/],
      [{ minLr: -1 }, /minLr must be a finite number >= 0, got -1/],
      [{ minDelta: NaN }, /minDelta must be a finite number >= 0, got NaN/],
      [{ convention: 'tf' }, /convention must be 'keras' or 'pytorch', got "tf"/],
      [{ min_lr: 0.1 }, /unknown option 'min_lr' \(did you mean 'minLr'\?\)/],
      [{ mode: 'down' }, /mode must be 'min', 'max' or 'auto'/],
    ] as const) {
      const error = thrown(() => reduceLROnPlateau(options as never));
      expect(error).toBeInstanceOf(ModelError);
      expect(error.message).toMatch(message);
    }
  });
});

describe('learningRateScheduler', () => {
  const data = separable(12, 2, 8);
  const model = () => {
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 2, dtype: 'float64' });
    m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.4, momentum: 0.5 }) });
    return m;
  };

  it('PyTorch\'s StepLR(step_size 2, gamma 0.5) per epoch: the rates, and the same run as setting them by hand', async () => {
    const stepLR = learningRateScheduler({ schedule: (epoch, lr) => (epoch > 0 && epoch % 2 === 0 ? lr * 0.5 : lr) });
    const scheduled = model();
    const { history } = await scheduled.fit(data.x, data.y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0, callbacks: [stepLR] });
    expect(history.learning_rate).toEqual([0.4, 0.4, 0.2, 0.2, 0.1]);
    const byHand = model();
    for (const rate of [0.4, 0.4, 0.2, 0.2, 0.1]) {
      byHand.optimizer.learningRate = rate;
      await byHand.fit(data.x, data.y, { batchSize: 4, shuffle: false, verbose: 0 });
    }
    expectSameBits(scheduled.getWeights(), byHand.getWeights());
  });

  it('a schedule giving something other than a finite rate > 0 is a ModelError naming the epoch', async () => {
    const bad = learningRateScheduler({ schedule: (epoch) => (epoch === 1 ? 0 : 0.1) });
    const error = await rejection(model().fit(data.x, data.y, { epochs: 3, verbose: 0, callbacks: [bad] }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toBe('learningRateScheduler: the schedule gave 0 for epoch 1; a learning rate is a finite number > 0');
    expect(thrown(() => learningRateScheduler({ schedule: 0.1 } as never)).message).toMatch(/learningRateScheduler: schedule must be a function \(epoch, learningRate\) => learningRate, got number/);
  });
});

describe('csvLogger', () => {
  const data = separable(12, 2, 4);
  const fitWith = async (callback: ReturnType<typeof csvLogger>, validation = true) => {
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 7, dtype: 'float64' });
    m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.3 }), metrics: ['accuracy'] });
    return (await m.fit(data.x, data.y, { epochs: 3, batchSize: 4, verbose: 0, ...(validation ? { validationSplit: 0.25 } : {}), callbacks: [callback] })).history;
  };

  it('writes Keras\' columns (epoch, then the log names sorted) and one row per epoch, numbers exactly', async () => {
    const filename = join(dir, 'log.csv');
    const history = await fitWith(csvLogger({ filename }));
    const [header, ...rows] = readFileSync(filename, 'utf8').split('\n');
    const columns = ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss'];
    expect(header).toBe(['epoch', ...columns].join(','));
    expect(rows.at(-1)).toBe('');
    expect(rows.slice(0, -1).map((row) => row.split(',').map(Number))).toEqual([0, 1, 2].map((epoch) => [epoch, ...columns.map((c) => history[c]![epoch]!)]));
  });

  it('replaces the file unless append; appending keeps the header; separators other than commas', async () => {
    const filename = join(dir, 'append.csv');
    writeFileSync(filename, 'old contents\n');
    await fitWith(csvLogger({ filename, separator: ';' }), false);
    const first = readFileSync(filename, 'utf8');
    expect(first.split('\n')[0]).toBe('epoch;accuracy;learning_rate;loss');
    await fitWith(csvLogger({ filename, separator: ';', append: true }), false);
    const lines = readFileSync(filename, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(7);
    expect(lines.filter((l) => l.startsWith('epoch')).length).toBe(1);
    expect(lines.map((l) => l.split(';')[0])).toEqual(['epoch', '0', '1', '2', '0', '1', '2']);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await fitWith(csvLogger({ filename: empty, append: true }), false);
    expect(readFileSync(empty, 'utf8').startsWith('epoch,')).toBe(true);
  });

  it('a path that cannot be written is a FileWriteError; bad options are ModelErrors', async () => {
    const missing = join(dir, 'no-such-dir', 'log.csv');
    const error = await rejection(fitWith(csvLogger({ filename: missing })));
    expect(error).toBeInstanceOf(FileWriteError);
    expect(error.message).toMatch(/^csvLogger: cannot write .*no-such-dir\/log\.csv: /);
    for (const [options, message] of [
      [{}, /csvLogger: filename must be a non-empty string/],
      [{ filename: 'a.csv', separator: '"' }, /separator must be one character other than a quote or a line break, got "\\""/],
      [{ filename: 'a.csv', separator: ', ' }, /separator must be one character/],
      [{ filename: 'a.csv', append: 'yes' }, /csvLogger: append must be true or false, got yes/],
      [{ filename: 'a.csv', sep: ';' }, /csvLogger: unknown option 'sep'/],
    ] as const) {
      const bad = thrown(() => csvLogger(options as never));
      expect(bad).toBeInstanceOf(ModelError);
      expect(bad.message).toMatch(message);
    }
  });
});
