/**
 * Metrics, Keras' names. A metric counts over a batch (`correct` of `count`); `fit` and
 * `evaluate` add the counts over batches, so an epoch's accuracy is exact, not a mean of batch
 * means. Metrics read the model's output as trained: with `fromLogits: true` the output is
 * logits, and the binary threshold 0.5 becomes the logit 0.
 * @module
 */
import type { Tensor } from '@stablegrad/core';
import { ModelError } from './errors.js';
import { didYouMean } from './names.js';
import type { LossName } from './losses/index.js';

/**
 * A metric: `measure` returns a sum over the batch and how many items it counts.
 * @example
 * ```ts
 * model.compile({ loss, optimizer, metrics: ['accuracy', binaryAccuracy({ threshold: 0.7 })] });
 * ```
 */
export interface Metric {
  /** The key in the history and in `evaluate`'s result (validation: `val_<name>`). */
  readonly name: string;
  /** How to make it again (library metrics only): what `save` writes. */
  readonly config?: MetricConfig;
  /** The metric's sum over a batch and the number of items it counts (the metric is sum / count over all batches). */
  measure(yTrue: Tensor, yPred: Tensor, context: MetricContext): { readonly sum: number; readonly count: number };
}

/**
 * A library metric's settings, as saved in model files.
 * @example
 * ```ts
 * binaryAccuracy({ threshold: 0.7 }).config; // { kind: 'binaryAccuracy', name: 'binaryAccuracy', threshold: 0.7 }
 * ```
 */
export interface MetricConfig {
  readonly kind: 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy';
  readonly name: string;
  readonly threshold?: number;
}

/**
 * What a metric knows about the model's output.
 * @example
 * ```ts
 * binaryAccuracy().measure(y, logits, { fromLogits: true }); // thresholds the logits at 0
 * ```
 */
export interface MetricContext {
  /** The output is logits (the loss has `fromLogits: true`), not probabilities. */
  readonly fromLogits: boolean;
}

/**
 * The metric names: `accuracy` picks binary, categorical or sparse categorical accuracy from the
 * loss, as Keras does.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam(), metrics: ['accuracy'] });
 * ```
 */
export type MetricName = 'accuracy' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy';

/**
 * Every metric name.
 * @example
 * ```ts
 * METRIC_NAMES.includes('accuracy'); // true
 * ```
 */
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'];

/**
 * Share of output units on the right side of `threshold` (default 0.5): `(p > t) == y`.
 * @example
 * ```ts
 * binaryAccuracy({ threshold: 0.5 });
 * ```
 */
export function binaryAccuracy(options: { threshold?: number; name?: string } = {}): Metric {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold > 0 && threshold < 1)) throw new ModelError(`binaryAccuracy: threshold must be in (0, 1), got ${threshold}`);
  const logitThreshold = Math.log(threshold / (1 - threshold));
  const name = options.name ?? 'binaryAccuracy';
  return {
    name,
    config: { kind: 'binaryAccuracy', name, threshold },
    measure(yTrue, yPred, { fromLogits }) {
      const t = fromLogits ? logitThreshold : threshold;
      let sum = 0;
      for (let i = 0; i < yPred.data.length; i++) if ((yPred.data[i]! > t ? 1 : 0) === yTrue.data[i]) sum++;
      return { sum, count: yPred.data.length };
    },
  };
}

/**
 * Share of examples whose largest output is the largest label (one-hot labels).
 * @example
 * ```ts
 * categoricalAccuracy();
 * ```
 */
export function categoricalAccuracy(options: { name?: string } = {}): Metric {
  const name = options.name ?? 'categoricalAccuracy';
  return {
    name,
    config: { kind: 'categoricalAccuracy', name },
    measure(yTrue, yPred) {
      const [rows, classes] = rowsAndClasses(yPred);
      let sum = 0;
      for (let r = 0; r < rows; r++) if (argmax(yPred.data, r * classes, classes) === argmax(yTrue.data, r * classes, classes)) sum++;
      return { sum, count: rows };
    },
  };
}

/**
 * Share of examples whose largest output is at the label's index (integer labels).
 * @example
 * ```ts
 * sparseCategoricalAccuracy();
 * ```
 */
export function sparseCategoricalAccuracy(options: { name?: string } = {}): Metric {
  const name = options.name ?? 'sparseCategoricalAccuracy';
  return {
    name,
    config: { kind: 'sparseCategoricalAccuracy', name },
    measure(yTrue, yPred) {
      const [rows, classes] = rowsAndClasses(yPred);
      let sum = 0;
      for (let r = 0; r < rows; r++) if (argmax(yPred.data, r * classes, classes) === yTrue.data[r]) sum++;
      return { sum, count: rows };
    },
  };
}

/**
 * A library metric from its saved config.
 * @example
 * ```ts
 * metricFromConfig({ kind: 'binaryAccuracy', name: 'acc70', threshold: 0.7 }).name; // 'acc70'
 * ```
 */
export function metricFromConfig(config: MetricConfig): Metric {
  if (config.kind === 'binaryAccuracy') return binaryAccuracy({ name: config.name, ...(config.threshold === undefined ? {} : { threshold: config.threshold }) });
  if (config.kind === 'categoricalAccuracy') return categoricalAccuracy({ name: config.name });
  if (config.kind === 'sparseCategoricalAccuracy') return sparseCategoricalAccuracy({ name: config.name });
  throw new ModelError(`unknown metric kind ${JSON.stringify((config as { kind?: unknown }).kind)}`);
}

/**
 * A metric from itself or its name; `accuracy` is chosen by the loss (named `accuracy` in the
 * history, as in Keras).
 * @example
 * ```ts
 * resolveMetric('accuracy', 'sparseCategoricalCrossentropy').name; // 'accuracy'
 * ```
 */
export function resolveMetric(spec: Metric | MetricName, loss: LossName): Metric {
  if (typeof spec === 'object') return spec;
  switch (spec) {
    case 'binaryAccuracy': return binaryAccuracy();
    case 'categoricalAccuracy': return categoricalAccuracy();
    case 'sparseCategoricalAccuracy': return sparseCategoricalAccuracy();
    case 'accuracy':
      if (loss === 'binaryCrossentropy') return binaryAccuracy({ name: 'accuracy' });
      if (loss === 'categoricalCrossentropy') return categoricalAccuracy({ name: 'accuracy' });
      if (loss === 'sparseCategoricalCrossentropy') return sparseCategoricalAccuracy({ name: 'accuracy' });
      throw new ModelError(`metric 'accuracy' needs a classification loss, but the loss is ${loss}; name the metric you want instead`);
    default:
      throw new ModelError(`unknown metric ${JSON.stringify(spec)}${didYouMean(spec, METRIC_NAMES)}; known: ${METRIC_NAMES.join(', ')}, or a Metric object`);
  }
}

function rowsAndClasses(t: Tensor): [number, number] {
  const classes = t.shape[t.shape.length - 1] ?? 1;
  return [t.data.length / classes, classes];
}

// The first index of the largest value, as Keras' argmax.
function argmax(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (data[offset + i]! > data[offset + best]!) best = i;
  return best;
}
