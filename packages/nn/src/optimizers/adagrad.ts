/**
 * Adagrad (Duchi et al.), in Keras' and PyTorch's forms: they start the accumulator at
 * different values, put epsilon inside or outside the square root, and PyTorch can decay the
 * learning rate with the step count.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';
import { COMMON_OPTIONS, type CommonOptions, defineOptimizer, type LearningRate, readCommon } from './define.js';
import { checkInRange, type Optimizer } from './optimizer.js';

/**
 * Options of `adagrad`.
 * @example
 * ```ts
 * adagrad({ learningRate: 0.01, initialAccumulatorValue: 0.1 });
 * ```
 */
export interface AdagradOptions extends CommonOptions {
  /** Default 0.001 (Keras) or 0.01 (PyTorch). */
  readonly learningRate?: LearningRate;
  /** Where the accumulator starts, finite and >= 0; default 0.1 (Keras) or 0 (PyTorch). */
  readonly initialAccumulatorValue?: number;
  /** Finite and >= 0; default 1e-7 (Keras, inside the square root) or 1e-10 (PyTorch, outside). */
  readonly epsilon?: number;
  /** PyTorch convention only (`lr_decay`): the step's rate is `lr / (1 + (t - 1) * learningRateDecay)`; default 0. */
  readonly learningRateDecay?: number;
}

/**
 * Adagrad, slot `accumulator`: `acc += g^2` at every step, then
 * Keras (`keras.optimizers.Adagrad`, the default): `w -= lr * g / sqrt(acc + eps)`, acc from 0.1;
 * PyTorch (`torch.optim.Adagrad`): `w -= lr / (1 + (t - 1) * learningRateDecay) * g / (sqrt(acc) + eps)`,
 * acc from 0, eps 1e-10 (with the default accumulator of 0, a weight whose gradient has always
 * been 0 gets 0 / eps = 0).
 * @example
 * ```ts
 * model.compile({ loss: 'meanSquaredError', optimizer: adagrad({ convention: 'pytorch', learningRate: 0.1 }) });
 * ```
 */
export function adagrad(options: AdagradOptions = {}): Optimizer {
  checkKnownOptions('adagrad', options, [...COMMON_OPTIONS, 'initialAccumulatorValue', 'epsilon', 'learningRateDecay']);
  const common = readCommon('adagrad', options, { learningRate: { keras: 0.001, pytorch: 0.01 } });
  const pytorch = common.convention === 'pytorch';
  const initialAccumulatorValue = checkInRange('adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? (pytorch ? 0 : 0.1), 0, Infinity, '[0, Infinity)');
  const epsilon = checkInRange('adagrad', 'epsilon', options.epsilon ?? (pytorch ? 1e-10 : 1e-7), 0, Infinity, '[0, Infinity)');
  const slots = { accumulator: { kind: 'nonNegative' as const, initial: initialAccumulatorValue } };
  if (!pytorch) {
    if (options.learningRateDecay !== undefined) throw new ModelError(`adagrad: learningRateDecay is PyTorch's lr_decay (convention: 'pytorch'); Keras decays the rate with a schedule, got learningRateDecay ${showValue(options.learningRateDecay)}`);
    return defineOptimizer({
      common,
      config: { name: 'adagrad', ...common.config, initialAccumulatorValue, epsilon },
      slots,
      decoupledWeightDecay: true,
      prepare: ({ lr }) => (w, g, { accumulator }) => {
        const acc = accumulator!;
        for (let i = 0; i < w.length; i++) {
          acc[i] = acc[i]! + g[i]! * g[i]!;
          w[i] = w[i]! - (lr * g[i]!) / Math.sqrt(acc[i]! + epsilon);
        }
      },
    });
  }
  const learningRateDecay = checkInRange('adagrad', 'learningRateDecay', options.learningRateDecay ?? 0, 0, Infinity, '[0, Infinity)');
  return defineOptimizer({
    common,
    config: { name: 'adagrad', ...common.config, initialAccumulatorValue, epsilon, learningRateDecay },
    slots,
    decoupledWeightDecay: false,
    prepare: ({ lr, t }) => {
      const clr = lr / (1 + (t - 1) * learningRateDecay);
      return (w, g, { accumulator }) => {
        const acc = accumulator!;
        for (let i = 0; i < w.length; i++) {
          acc[i] = acc[i]! + g[i]! * g[i]!;
          w[i] = w[i]! - (clr * g[i]!) / (Math.sqrt(acc[i]!) + epsilon);
        }
      };
    },
  });
}
