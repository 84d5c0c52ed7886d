/**
 * Learning-rate schedules against Keras' formulas (computed here), their checks, and the
 * schedule inside training: the rate of each step is the schedule at the steps taken before it
 * (Keras' `schedule(iterations)`), the logs carry it, it cannot be set, and a saved model goes on
 * with the same rates.
 */
import {
  cosineDecay, dense, exponentialDecay, type Logs, meanSquaredError, ModelError, modelFromJSON, modelToJSON, piecewiseConstant, resolveSchedule, sequential, sgd,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { expectClose, expectSameBits, thrown } from './helpers.js';

const STEPS = Array.from({ length: 61 }, (_, s) => s);

describe('schedules follow Keras\' formulas', () => {
  it('exponentialDecay: lr0 * rate^(step / decaySteps), the exponent floored with staircase', () => {
    const smooth = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.5 });
    const stairs = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.5, staircase: true });
    for (const s of STEPS) {
      expectClose(smooth.at(s), 0.1 * Math.exp((s / 7) * Math.log(0.5)), 1e-14, `step ${s}`);
      expectClose(stairs.at(s), 0.1 / 2 ** Math.floor(s / 7), 1e-15, `step ${s}`);
    }
    expect(stairs.at(6)).toBe(0.1);
    expect(stairs.at(7)).toBe(0.05);
  });

  it('piecewiseConstant: values[i] while step <= boundaries[i] (inclusive), the last value after', () => {
    const schedule = piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect([0, 10, 11, 20, 21, 1000].map((s) => schedule.at(s))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
    expect(piecewiseConstant({ boundaries: [], values: [0.3] }).at(5)).toBe(0.3);
  });

  it('cosineDecay without warm-up: from lr0 to lr0 * alpha over decaySteps, then flat', () => {
    const schedule = cosineDecay({ initialLearningRate: 0.2, decaySteps: 40, alpha: 0.1 });
    for (const s of STEPS) {
      const fraction = Math.min(s, 40) / 40;
      expectClose(schedule.at(s), 0.2 * (0.1 + 0.9 * (1 + Math.cos(Math.PI * fraction)) / 2), 1e-14, `step ${s}`);
    }
    expect(schedule.at(0)).toBe(0.2);
    expectClose(schedule.at(20), 0.2 * 0.55, 1e-15);
    expectClose(schedule.at(40), 0.02, 1e-15);
    expect(schedule.at(60)).toBe(schedule.at(40));
  });

  it('cosineDecay with warm-up: a line from lr0 to the target over warmupSteps, then the cosine from the target', () => {
    const schedule = cosineDecay({ initialLearningRate: 0.01, warmupTarget: 0.1, warmupSteps: 10, decaySteps: 30 });
    for (const s of STEPS) {
      const expected = s < 10 ? 0.01 + (0.09 * s) / 10 : 0.1 * (1 + Math.cos((Math.PI * Math.min(s - 10, 30)) / 30)) / 2;
      expect(Math.abs(schedule.at(s) - expected), `step ${s}`).toBeLessThanOrEqual(1e-16);
    }
    expect(schedule.at(10)).toBe(0.1);
  });

  it('a config rebuilds the same schedule, and only library schedules are taken', () => {
    const schedules = [
      exponentialDecay({ initialLearningRate: 1, decaySteps: 3, decayRate: 0.9 }), piecewiseConstant({ boundaries: [1], values: [2, 1] }), cosineDecay({ initialLearningRate: 1, decaySteps: 5 }),
    ];
    for (const schedule of schedules) {
      const copy = resolveSchedule(JSON.parse(JSON.stringify(schedule.config)), 'test');
      expect(copy.config).toEqual(schedule.config);
      expect(STEPS.map((s) => copy.at(s))).toEqual(STEPS.map((s) => schedule.at(s)));
    }
    expect(thrown(() => sgd({ learningRate: { config: { name: 'mine' }, at: () => 0.1 } as never })).message).toMatch(/sgd: learningRate: a schedule is made by exponentialDecay, piecewiseConstant or cosineDecay/);
    expect(thrown(() => sgd({ learningRate: { name: 'stepLR', stepSize: 3 } as never })).message).toMatch(/sgd: learningRate: unknown schedule "stepLR"/);
  });
});

describe('bad schedule options are a ModelError naming the option', () => {
  it.each([
    ['decaySteps 0', () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }), /exponentialDecay: decaySteps must be an integer >= 1, got number 0/],
    ['decaySteps 1.5', () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1.5, decayRate: 0.5 }), /decaySteps must be an integer >= 1, got number 1.5/],
    ['decayRate 0', () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0 }), /exponentialDecay: decayRate must be a finite number > 0, got 0/],
    ['initialLearningRate -1', () => exponentialDecay({ initialLearningRate: -1, decaySteps: 1, decayRate: 0.5 }), /exponentialDecay: initialLearningRate must be a finite number >= 0, got number -1/],
    ['staircase "yes"', () => exponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5, staircase: 'yes' as never }), /staircase must be true or false, got yes/],
    ['an unknown key', () => exponentialDecay({ initialLearningRate: 1, decay_steps: 1 } as never), /exponentialDecay: unknown option 'decay_steps' \(did you mean 'decaySteps'\?\)/],
    ['boundaries not increasing', () => piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] }), /piecewiseConstant: boundaries must be strictly increasing, but boundaries\[1\] = 5 follows 5/],
    ['one value too few', () => piecewiseConstant({ boundaries: [5], values: [1] }), /piecewiseConstant: values must be an array of 2 rates \(one more than the boundaries\), got 1/],
    ['a NaN value', () => piecewiseConstant({ boundaries: [5], values: [1, NaN] }), /piecewiseConstant: values\[1\] must be a finite number >= 0, got number NaN/],
    ['boundaries "5"', () => piecewiseConstant({ boundaries: '5' as never, values: [1] }), /boundaries must be an array of finite numbers, got the string "5"/],
    ['alpha 2', () => cosineDecay({ initialLearningRate: 1, decaySteps: 5, alpha: 2 }), /cosineDecay: alpha must be a number in \[0, 1\], got 2/],
    ['warmupSteps without a target', () => cosineDecay({ initialLearningRate: 0, decaySteps: 5, warmupSteps: 3 }), /cosineDecay: warmupSteps 3 needs a warmupTarget/],
    ['warmupTarget Infinity', () => cosineDecay({ initialLearningRate: 0, decaySteps: 5, warmupTarget: Infinity, warmupSteps: 3 }), /cosineDecay: warmupTarget must be a finite number >= 0, got number Infinity/],
    ['a schedule as a string', () => sgd({ learningRate: 'cosineDecay' as never }), /sgd: learningRate must be a number in \(0, Infinity\), got cosineDecay/],
  ] as const)('%s', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });
});

describe('a schedule in training', () => {
  // A regression y = 2 x + 1 on 8 rows, float64, batches of 2 in order: 4 steps per epoch.
  const x = Array.from({ length: 8 }, (_, r) => [r / 4 - 1]);
  const y = x.map(([v]) => [2 * v! + 1]);
  const schedule = () => exponentialDecay({ initialLearningRate: 0.2, decaySteps: 3, decayRate: 0.5 });
  const model = () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [1], dtype: 'float64', seed: 3 });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ momentum: 0.5, learningRate: schedule() }) });
    return m;
  };

  it('each step\'s rate is the schedule at the steps taken before it: in onBatchEnd, and per epoch the last step\'s', async () => {
    const m = model();
    const rates: number[] = [];
    const { history } = await m.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: [{ onBatchEnd: (_b, logs: Logs) => { rates.push(logs.learning_rate!); } }] });
    expect(rates).toEqual(Array.from({ length: 12 }, (_, s) => 0.2 * 0.5 ** (s / 3)));
    expect(history.learning_rate).toEqual([3, 7, 11].map((s) => 0.2 * 0.5 ** (s / 3)));
    expect(m.optimizer.learningRate).toBe(0.2 * 0.5 ** 4);
    expect(m.optimizer.schedule?.config.name).toBe('exponentialDecay');
  });

  it('its rate cannot be set (a ModelError, as Keras\' TypeError), and the state keeps no rate', () => {
    const m = model();
    expect(m.compiled!.state.learningRate).toBeUndefined();
    const error = thrown(() => { m.optimizer.learningRate = 0.1; });
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/optimizer.learningRate: sgd's learning rate follows a schedule \(exponentialDecay\), so it cannot be set/);
  });

  it('a model saved mid-schedule goes on with the same rates: the same weights as an uninterrupted run', async () => {
    const uninterrupted = model();
    await uninterrupted.fit(x, y, { epochs: 4, batchSize: 2, shuffle: false, verbose: 0 });
    const first = model();
    await first.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const json = JSON.parse(JSON.stringify(modelToJSON(first))) as { compile: { optimizer: { learningRate: unknown } }; optimizerState: { learningRate?: unknown } };
    expect(json.compile.optimizer.learningRate).toEqual({ name: 'exponentialDecay', initialLearningRate: 0.2, decaySteps: 3, decayRate: 0.5, staircase: false });
    expect(json.optimizerState.learningRate).toBeUndefined();
    const resumed = modelFromJSON(json);
    expect(resumed.optimizer.learningRate).toBe(0.2 * 0.5 ** (8 / 3));
    await resumed.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    expectSameBits(resumed.getWeights(), uninterrupted.getWeights());
  });
});
