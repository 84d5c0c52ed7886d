/**
 * Nadam: Adam with Nesterov momentum (Dozat), Keras' `Nadam` and PyTorch's `torch.optim.NAdam`.
 * Both warm the momentum up with a schedule of factors `mu_t` and keep their running product
 * (the scalar `muProduct` of the state); PyTorch slows the warm-up by `momentumDecay`.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';
import { COMMON_OPTIONS, type CommonOptions, defineOptimizer, type LearningRate, readCommon } from './define.js';
import { checkInRange, type Optimizer } from './optimizer.js';

/**
 * Options of `nadam`.
 * @example
 * ```ts
 * nadam({ convention: 'pytorch', learningRate: 2e-3, momentumDecay: 4e-3 });
 * ```
 */
export interface NadamOptions extends CommonOptions {
  /** Default 0.001 (Keras) or 0.002 (PyTorch). */
  readonly learningRate?: LearningRate;
  /** In [0, 1); default 0.9. */
  readonly beta1?: number;
  /** In [0, 1); default 0.999. */
  readonly beta2?: number;
  /** Added to `sqrt(v_hat)` in both conventions, finite and >= 0; default 1e-7 (Keras) or 1e-8 (PyTorch). */
  readonly epsilon?: number;
  /** PyTorch convention only (`momentum_decay`), finite and >= 0; default 0.004. Keras' schedule is `0.96^t`, i.e. 1. */
  readonly momentumDecay?: number;
}

/**
 * Nadam, slots `m` and `v`, scalar `muProduct` (from 1). At step t, with
 * `mu_t = b1 (1 - 0.5 * 0.96^(t psi))` (Keras: psi = 1, `0.96^t`; PyTorch: psi = `momentumDecay`),
 * `muProduct *= mu_t`, `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`, `v_hat = v / (1 - b2^t)`:
 * `w -= lr * (mu_{t+1} m / (1 - muProduct mu_{t+1}) + (1 - mu_t) g / (1 - muProduct)) / (sqrt(v_hat) + eps)`.
 * Keras (`keras.optimizers.Nadam`, the default) applies it as one step; PyTorch as two
 * (the gradient term, then the moment term). PyTorch up to 1.13 multiplied the next product by
 * `mu_t` twice; this is the corrected formula of later versions.
 * @example
 * ```ts
 * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nadam({ learningRate: 0.002 }) });
 * ```
 */
export function nadam(options: NadamOptions = {}): Optimizer {
  checkKnownOptions('nadam', options, [...COMMON_OPTIONS, 'beta1', 'beta2', 'epsilon', 'momentumDecay']);
  const common = readCommon('nadam', options, { learningRate: { keras: 0.001, pytorch: 0.002 } });
  const pytorch = common.convention === 'pytorch';
  const beta1 = checkInRange('nadam', 'beta1', options.beta1 ?? 0.9, 0, 1, '[0, 1)');
  const beta2 = checkInRange('nadam', 'beta2', options.beta2 ?? 0.999, 0, 1, '[0, 1)');
  const epsilon = checkInRange('nadam', 'epsilon', options.epsilon ?? (pytorch ? 1e-8 : 1e-7), 0, Infinity, '[0, Infinity)');
  const slots = { m: { kind: 'real' as const }, v: { kind: 'nonNegative' as const } };
  const scalars = { muProduct: { kind: 'unitInterval' as const, initial: 1 } };
  if (!pytorch) {
    if (options.momentumDecay !== undefined) throw new ModelError(`nadam: momentumDecay is PyTorch's momentum_decay (convention: 'pytorch'); Keras' schedule is fixed at 0.96^t, got momentumDecay ${showValue(options.momentumDecay)}`);
    return defineOptimizer({
      common,
      config: { name: 'nadam', ...common.config, beta1, beta2, epsilon },
      slots,
      scalars,
      decoupledWeightDecay: true,
      prepare: ({ lr, t, scalars: s }) => {
        // Keras updates the product once per step, before the variables: u_product * b1 * (1 - 0.5 * 0.96^t).
        s.muProduct = s.muProduct! * beta1 * (1 - 0.5 * 0.96 ** t);
        const u = beta1 * (1 - 0.5 * 0.96 ** t);
        const uNext = beta1 * (1 - 0.5 * 0.96 ** (t + 1));
        const product = s.muProduct;
        const productNext = product * uNext;
        const correction2 = 1 - beta2 ** t;
        return (w, g, { m, v }) => {
          for (let i = 0; i < w.length; i++) {
            const gi = g[i]!;
            m![i] = m![i]! + (gi - m![i]!) * (1 - beta1);
            v![i] = v![i]! + (gi * gi - v![i]!) * (1 - beta2);
            const mHat = (uNext * m![i]!) / (1 - productNext) + ((1 - u) * gi) / (1 - product);
            w[i] = w[i]! - (mHat * lr) / (Math.sqrt(v![i]! / correction2) + epsilon);
          }
        };
      },
    });
  }
  const momentumDecay = checkInRange('nadam', 'momentumDecay', options.momentumDecay ?? 0.004, 0, Infinity, '[0, Infinity)');
  return defineOptimizer({
    common,
    config: { name: 'nadam', ...common.config, beta1, beta2, epsilon, momentumDecay },
    slots,
    scalars,
    decoupledWeightDecay: false,
    prepare: ({ lr, t, scalars: s }) => {
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
      s.muProduct = s.muProduct! * mu;
      const gradientStep = (lr * (1 - mu)) / (1 - s.muProduct);
      const momentStep = (lr * muNext) / (1 - s.muProduct * muNext);
      const correction2 = 1 - beta2 ** t;
      return (w, g, { m, v }) => {
        for (let i = 0; i < w.length; i++) {
          const gi = g[i]!;
          m![i] = m![i]! * beta1 + (1 - beta1) * gi;
          v![i] = v![i]! * beta2 + (1 - beta2) * (gi * gi);
          const d = Math.sqrt(v![i]! / correction2) + epsilon;
          w[i] = w[i]! - (gradientStep * gi) / d;
          w[i] = w[i]! - (momentStep * m![i]!) / d;
        }
      };
    },
  });
}
