/**
 * Stochastic gradient descent with optional (Nesterov) momentum, in Keras' and PyTorch's forms.
 * They agree while the learning rate is constant; they differ once it changes, because Keras'
 * velocity holds the learning rates of past steps and PyTorch's buffer does not.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';
import { COMMON_OPTIONS, type CommonOptions, defineOptimizer, type LearningRate, readCommon } from './define.js';
import { checkInRange, type Optimizer } from './optimizer.js';

/**
 * Options of `sgd`.
 * @example
 * ```ts
 * sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 * sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4 });
 * ```
 */
export interface SgdOptions extends CommonOptions {
  /** Default 0.01 (Keras) or 0.001 (PyTorch). */
  readonly learningRate?: LearningRate;
  /** In [0, 1); default 0 (plain gradient descent). */
  readonly momentum?: number;
  /** Nesterov momentum (default false; PyTorch convention: needs momentum > 0 and no dampening). */
  readonly nesterov?: boolean;
  /** PyTorch convention only: the share of the gradient kept out of the buffer, in [0, 1]; default 0. */
  readonly dampening?: number;
}

/**
 * Stochastic gradient descent. Without momentum both conventions are `w -= lr * g`.
 *
 * Keras (`keras.optimizers.SGD`; slot `velocity`): `velocity = momentum * velocity - lr * g`,
 * then `w += velocity`, or with Nesterov `w += momentum * velocity - lr * g`.
 *
 * PyTorch (`torch.optim.SGD`; slot `momentumBuffer`): `b = g` at the first step, then
 * `b = momentum * b + (1 - dampening) * g`; `w -= lr * b`, or with Nesterov
 * `w -= lr * (g + momentum * b)`. TensorFlow.js' `tf.train.momentum` is this form too.
 *
 * With a constant learning rate, Keras' `velocity` is `-lr * b`, so both give the same steps;
 * after a change of the learning rate, Keras keeps the old rate in its velocity and PyTorch
 * applies the new rate to its whole buffer.
 * @example
 * ```ts
 * model.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  checkKnownOptions('sgd', options, [...COMMON_OPTIONS, 'momentum', 'nesterov', 'dampening']);
  const common = readCommon('sgd', options, { learningRate: { keras: 0.01, pytorch: 0.001 } });
  const momentum = checkInRange('sgd', 'momentum', options.momentum ?? 0, 0, 1, '[0, 1)');
  const nesterov = options.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new ModelError(`sgd: nesterov must be true or false, got ${showValue(nesterov)}`);
  if (common.convention === 'keras') {
    if (options.dampening !== undefined) throw new ModelError(`sgd: dampening is PyTorch's (convention: 'pytorch'); Keras' SGD has none, got dampening ${showValue(options.dampening)}`);
    return defineOptimizer({
      common,
      config: { name: 'sgd', ...common.config, momentum, nesterov },
      slots: momentum === 0 ? {} : { velocity: { kind: 'real' } },
      decoupledWeightDecay: true,
      prepare: ({ lr }) => (w, g, { velocity }) => {
        if (momentum === 0) {
          for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
          return;
        }
        const v = velocity!;
        for (let i = 0; i < w.length; i++) {
          v[i] = momentum * v[i]! - lr * g[i]!;
          w[i] = nesterov ? w[i]! + momentum * v[i]! - lr * g[i]! : w[i]! + v[i]!;
        }
      },
    });
  }
  const dampening = checkInRange('sgd', 'dampening', options.dampening ?? 0, 0, 1, '[0, 1]', true);
  if (nesterov && (momentum === 0 || dampening !== 0)) throw new ModelError(`sgd: Nesterov momentum needs a momentum > 0 and dampening 0 (as in PyTorch), got momentum ${momentum}, dampening ${dampening}`);
  return defineOptimizer({
    common,
    config: { name: 'sgd', ...common.config, momentum, nesterov, dampening },
    slots: momentum === 0 ? {} : { momentumBuffer: { kind: 'real' } },
    decoupledWeightDecay: false,
    prepare: ({ lr, t }) => (w, g, { momentumBuffer }) => {
      if (momentum === 0) {
        for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
        return;
      }
      const b = momentumBuffer!;
      for (let i = 0; i < w.length; i++) {
        // The buffer starts as the first gradient itself (PyTorch clones it), undamped.
        b[i] = t === 1 ? g[i]! : b[i]! * momentum + (1 - dampening) * g[i]!;
        w[i] = w[i]! - lr * (nesterov ? g[i]! + momentum * b[i]! : b[i]!);
      }
    },
  });
}
