/**
 * Adam, with epsilon where Keras puts it or where PyTorch and TensorFlow.js put it, and AMSGrad.
 * The two placements are the same algorithm with a differently scaled epsilon: Keras folds the
 * bias corrections into the step size and adds epsilon to `sqrt(v)` (the paper's "epsilon
 * hat"); PyTorch and TensorFlow.js add it to `sqrt(v_hat)`, the bias-corrected moment. With the
 * same epsilon the steps differ wherever `sqrt(v_hat)` is not large against epsilon.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';
import { COMMON_OPTIONS, type Common, type CommonOptions, defineOptimizer, type LearningRate, type ParamUpdate, readCommon, type StepContext } from './define.js';
import { checkInRange, type Optimizer, type SlotKind } from './optimizer.js';

/**
 * Options of `adam` and `adamW`, Keras' names; the defaults follow the convention.
 * @example
 * ```ts
 * adam({ learningRate: 0.01 });
 * adam({ convention: 'pytorch', epsilon: 1e-7 }); // TensorFlow.js' tf.train.adam
 * ```
 */
export interface AdamOptions extends CommonOptions {
  /** Default 0.001 in both conventions. */
  readonly learningRate?: LearningRate;
  /** Decay of the first moment, in [0, 1); default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1); default 0.999. */
  readonly beta2?: number;
  /** Finite and >= 0; default 1e-7 (Keras) or 1e-8 (PyTorch). Added to `sqrt(v)` (Keras) or to `sqrt(v_hat)` (PyTorch). */
  readonly epsilon?: number;
  /** AMSGrad: divide by the largest second moment so far (slot `vMax`); default false. */
  readonly amsgrad?: boolean;
}

const ADAM_OPTIONS = [...COMMON_OPTIONS, 'beta1', 'beta2', 'epsilon', 'amsgrad'] as const;

/**
 * The Adam optimizer (Kingma and Ba), slots `m` and `v` (and `vMax` with AMSGrad). At step t,
 * in both conventions: `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2` (with AMSGrad
 * `vMax = max(vMax, v)` replaces `v` below).
 *
 * Keras (`keras.optimizers.Adam`, the default):
 * `w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)`, eps = 1e-7.
 *
 * PyTorch (`torch.optim.Adam`, and TensorFlow.js' `tf.train.adam`):
 * `w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`, i.e. `lr * m_hat / (sqrt(v_hat) + eps)`;
 * eps = 1e-8 (TensorFlow.js: 1e-7, so `adam({ convention: 'pytorch', epsilon: 1e-7 })`). Its
 * `weightDecay` is PyTorch's L2 `weight_decay`; for decoupled decay use `adamW`.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }) });
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ convention: 'pytorch', learningRate: 3e-4 }) });
 * ```
 */
export function adam(options: AdamOptions = {}): Optimizer {
  checkKnownOptions('adam', options, ADAM_OPTIONS);
  return adamOptimizer('adam', options, readCommon('adam', options, { learningRate: { keras: 0.001, pytorch: 0.001 } }));
}

/**
 * Adam, or AdamW (`name`), from checked common options: the moments' options and update.
 * @example
 * ```ts
 * adamOptimizer('adamW', options, readCommon('adamW', options, defaults));
 * ```
 */
export function adamOptimizer(name: 'adam' | 'adamW', options: AdamOptions, common: Common): Optimizer {
  const pytorch = common.convention === 'pytorch';
  const beta1 = checkInRange(name, 'beta1', options.beta1 ?? 0.9, 0, 1, '[0, 1)');
  const beta2 = checkInRange(name, 'beta2', options.beta2 ?? 0.999, 0, 1, '[0, 1)');
  const epsilon = checkInRange(name, 'epsilon', options.epsilon ?? (pytorch ? 1e-8 : 1e-7), 0, Infinity, '[0, Infinity)');
  const amsgrad = options.amsgrad ?? false;
  if (typeof amsgrad !== 'boolean') throw new ModelError(`${name}: amsgrad must be true or false, got ${showValue(amsgrad)}`);
  // v is a running mean of squares: a negative one would make sqrt(v) NaN
  const slots: { [slot: string]: { kind: SlotKind } } = { m: { kind: 'real' }, v: { kind: 'nonNegative' } };
  if (amsgrad) slots.vMax = { kind: 'nonNegative' };
  return defineOptimizer({
    common,
    config: { name, ...common.config, beta1, beta2, epsilon, amsgrad },
    slots,
    decoupledWeightDecay: name === 'adamW' || !pytorch,
    prepare: pytorch ? pytorchAdam(beta1, beta2, epsilon, amsgrad) : kerasAdam(beta1, beta2, epsilon, amsgrad),
  });
}

function kerasAdam(beta1: number, beta2: number, epsilon: number, amsgrad: boolean): (context: StepContext) => ParamUpdate {
  return ({ lr, t }) => {
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    return (w, g, { m, v, vMax }) => {
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        m![i] = beta1 * m![i]! + (1 - beta1) * gi;
        v![i] = beta2 * v![i]! + (1 - beta2) * gi * gi;
        if (amsgrad) vMax![i] = Math.max(vMax![i]!, v![i]!);
        w[i] = w[i]! - (stepSize * m![i]!) / (Math.sqrt(amsgrad ? vMax![i]! : v![i]!) + epsilon);
      }
    };
  };
}

function pytorchAdam(beta1: number, beta2: number, epsilon: number, amsgrad: boolean): (context: StepContext) => ParamUpdate {
  return ({ lr, t }) => {
    const stepSize = lr / (1 - beta1 ** t);
    const correction2 = Math.sqrt(1 - beta2 ** t);
    return (w, g, { m, v, vMax }) => {
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        m![i] = beta1 * m![i]! + (1 - beta1) * gi;
        v![i] = beta2 * v![i]! + (1 - beta2) * gi * gi;
        if (amsgrad) vMax![i] = Math.max(vMax![i]!, v![i]!);
        // denom = sqrt(v) / sqrt(1 - b2^t) + eps; w += (-stepSize * m) / denom
        w[i] = w[i]! - (stepSize * m![i]!) / (Math.sqrt(amsgrad ? vMax![i]! : v![i]!) / correction2 + epsilon);
      }
    };
  };
}
