/**
 * RMSprop (Hinton), plain or centered, with or without momentum, in Keras' and PyTorch's forms.
 * They put epsilon in different places (inside the square root or outside) and keep momentum
 * differently (Keras' buffer holds the learning rate, PyTorch's does not).
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';
import { COMMON_OPTIONS, type CommonOptions, defineOptimizer, type LearningRate, readCommon } from './define.js';
import { checkInRange, type Optimizer, type SlotKind } from './optimizer.js';

/**
 * Options of `rmsprop`, Keras' names (PyTorch's `alpha` is `rho`).
 * @example
 * ```ts
 * rmsprop({ learningRate: 0.001, rho: 0.9, momentum: 0.9, centered: true });
 * ```
 */
export interface RmspropOptions extends CommonOptions {
  /** Default 0.001 (Keras) or 0.01 (PyTorch). */
  readonly learningRate?: LearningRate;
  /** Decay of the mean square (PyTorch's `alpha`), in [0, 1); default 0.9 (Keras) or 0.99 (PyTorch). */
  readonly rho?: number;
  /** Momentum, in [0, 1); default 0 (none). */
  readonly momentum?: number;
  /** Finite and >= 0; default 1e-7 (Keras, inside the square root) or 1e-8 (PyTorch, outside). */
  readonly epsilon?: number;
  /** Divide by an estimate of the gradient's variance instead of its mean square; default false. */
  readonly centered?: boolean;
}

/**
 * RMSprop. Slots: `meanSquare` (both), `meanGradient` (centered), and the momentum buffer
 * (`momentum` in Keras' form, `momentumBuffer` in PyTorch's). In both conventions
 * `s = rho s + (1 - rho) g^2`, and centered `a = rho a + (1 - rho) g`.
 *
 * Keras (`keras.optimizers.RMSprop`, the default): with `d = s + eps` (centered:
 * `d = s - a^2 + eps`) and `step = lr * g / sqrt(d)`: `w -= step`, or with momentum
 * `buf = momentum * buf + step`, `w -= buf`.
 *
 * PyTorch (`torch.optim.RMSprop`): with `d = sqrt(s) + eps` (centered: `d = sqrt(s - a^2) + eps`):
 * `w -= lr * g / d`, or with momentum `buf = momentum * buf + g / d`, `w -= lr * buf`.
 * @example
 * ```ts
 * model.compile({ loss: 'meanSquaredError', optimizer: rmsprop({ convention: 'pytorch', learningRate: 0.01, momentum: 0.9 }) });
 * ```
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  checkKnownOptions('rmsprop', options, [...COMMON_OPTIONS, 'rho', 'momentum', 'epsilon', 'centered']);
  const common = readCommon('rmsprop', options, { learningRate: { keras: 0.001, pytorch: 0.01 } });
  const pytorch = common.convention === 'pytorch';
  const rho = checkInRange('rmsprop', 'rho', options.rho ?? (pytorch ? 0.99 : 0.9), 0, 1, '[0, 1)');
  const momentum = checkInRange('rmsprop', 'momentum', options.momentum ?? 0, 0, 1, '[0, 1)');
  const epsilon = checkInRange('rmsprop', 'epsilon', options.epsilon ?? (pytorch ? 1e-8 : 1e-7), 0, Infinity, '[0, Infinity)');
  const centered = options.centered ?? false;
  if (typeof centered !== 'boolean') throw new ModelError(`rmsprop: centered must be true or false, got ${showValue(centered)}`);
  const buffer = pytorch ? 'momentumBuffer' : 'momentum';
  const slots: { [slot: string]: { kind: SlotKind } } = { meanSquare: { kind: 'nonNegative' } };
  if (centered) slots.meanGradient = { kind: 'real' };
  if (momentum > 0) slots[buffer] = { kind: 'real' };
  return defineOptimizer({
    common,
    config: { name: 'rmsprop', ...common.config, rho, momentum, epsilon, centered },
    slots,
    decoupledWeightDecay: !pytorch,
    prepare: ({ lr }) => (w, g, state) => {
      const s = state.meanSquare!;
      const a = state.meanGradient;
      const buf = state[buffer];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        if (pytorch) {
          s[i] = s[i]! * rho + (1 - rho) * (gi * gi);
          if (centered) a![i] = a![i]! * rho + (1 - rho) * gi;
          const d = Math.sqrt(centered ? s[i]! - a![i]! * a![i]! : s[i]!) + epsilon;
          if (momentum > 0) {
            buf![i] = buf![i]! * momentum + gi / d;
            w[i] = w[i]! - lr * buf![i]!;
          } else {
            w[i] = w[i]! - (lr * gi) / d;
          }
        } else {
          s[i] = rho * s[i]! + (1 - rho) * (gi * gi);
          if (centered) a![i] = rho * a![i]! + (1 - rho) * gi;
          const step = (lr * gi) / Math.sqrt(centered ? s[i]! - a![i]! * a![i]! + epsilon : s[i]! + epsilon);
          if (momentum > 0) {
            buf![i] = momentum * buf![i]! + step;
            w[i] = w[i]! - buf![i]!;
          } else {
            w[i] = w[i]! - step;
          }
        }
      }
    },
  });
}
