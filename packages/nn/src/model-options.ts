/**
 * The options and results of `sequential`, `compile` and the batch methods, in one place.
 * @module
 */
import type { Graph, Node, TensorLike } from '@stablegrad/core';
import type { PreparedTraining, RewriteReport } from '@stablegrad/rewrite';
import type { Loss, LossName } from './losses/index.js';
import type { Metric, MetricName } from './metrics.js';
import type { Optimizer, OptimizerName, OptimizerState } from './optimizers/index.js';

/**
 * Options of `sequential`.
 * @example
 * ```ts
 * sequential([dense({ units: 10, activation: 'softmax' })], { inputShape: [64], seed: 42 });
 * ```
 */
export interface SequentialOptions {
  /** The shape of one example, without the batch: `[features]`, or e.g. `[8, 8, 1]` for images (height, width, channels). */
  readonly inputShape: readonly number[];
  /** float32 (default) or float64, for weights and computation. */
  readonly dtype?: 'float32' | 'float64';
  /** Seeds the initial weights, and the shuffles and splits of `fit`: the same seed gives the same run, bit for bit. Default: a fresh seed, reported by `model.seed`. */
  readonly seed?: number;
  /** Default `sequential`. */
  readonly name?: string;
  /**
   * The most trainable values the model may hold (default `DEFAULT_MAX_PARAMS`, 100,000,000):
   * sizes are checked by arithmetic before anything is allocated, so `inputShape: [1e9]` is a
   * `ModelError`, not an exhausted memory.
   */
  readonly maxParams?: number;
}

/** The option names each method accepts (anything else is a misspelling). */
export const SEQUENTIAL_OPTIONS = ['inputShape', 'dtype', 'seed', 'name', 'maxParams'] as const;
/** @see SEQUENTIAL_OPTIONS */
export const COMPILE_OPTIONS = ['loss', 'optimizer', 'metrics', 'stabilize', 'onWarning', 'backend', 'matmul'] as const;
/** @see SEQUENTIAL_OPTIONS */
export const BATCH_OPTIONS = ['batchSize'] as const;
/** @see SEQUENTIAL_OPTIONS */
export const EVALUATE_OPTIONS = ['batchSize', 'sampleWeight'] as const;
/** @see SEQUENTIAL_OPTIONS */
export const ON_BATCH_OPTIONS = ['sampleWeight'] as const;

/**
 * Options of `trainOnBatch`, `testOnBatch` and `computeGradients`.
 * @example
 * ```ts
 * model.trainOnBatch(xBatch, yBatch, { sampleWeight: [1, 0.5, 2, 1] });
 * ```
 */
export interface OnBatchOptions {
  /** One finite non-negative weight per row, as `fit`'s. */
  readonly sampleWeight?: TensorLike;
}

/**
 * Options of `setWeights`.
 * @example
 * ```ts
 * model.setWeights(kerasWeights, { cast: true }); // float64 arrays into a float32 model
 * ```
 */
export interface SetWeightsOptions {
  /**
   * Round weights of the other float dtype to the model's (float64 into a float32 model rounds
   * each value to nearest; values beyond float32's range are an error). Default false: a dtype
   * that differs from the model's is a `ModelError`. Nested number arrays take the model's dtype.
   */
  readonly cast?: boolean;
}

/**
 * Options of `compile`.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
 * ```
 */
export interface CompileOptions {
  readonly loss: Loss | LossName;
  readonly optimizer: Optimizer | OptimizerName;
  readonly metrics?: readonly (Metric | MetricName)[];
  /** Run the stabilize pass (default true). `false` trains the loss as written, for comparisons. */
  readonly stabilize?: boolean;
  /** Where warnings go (default `console.warn`); they are also kept in `model.warnings`. */
  readonly onWarning?: (message: string) => void;
  /**
   * What runs the graphs: `compiled` (default; the compiled backend: the interpreter's bits with
   * `matmul: 'exact'`, float32 matmul sums otherwise) or `interpreter` (core's reference
   * interpreter, node by node).
   */
  readonly backend?: Backend;
  /**
   * Float32 matmuls of the compiled backend: `simd` (default) on the WebAssembly SIMD kernel,
   * summing in float32 as TensorFlow.js and jax-js do; `exact` sums in float64 and rounds once,
   * the interpreter's bits.
   */
  readonly matmul?: 'simd' | 'exact';
}

/**
 * The execution backends: the compiled one (plans, fused loops, pooled buffers) or core's
 * reference interpreter.
 * @example
 * ```ts
 * model.compile({ loss, optimizer, backend: 'interpreter' });
 * ```
 */
export type Backend = 'compiled' | 'interpreter';

/**
 * The state `compile` sets up.
 * @example
 * ```ts
 * model.compiled?.training.report.firings.length; // rewrites the pipeline made
 * ```
 */
export interface CompiledModel {
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly metrics: readonly Metric[];
  readonly stabilize: boolean;
  /** The labels input `y`. */
  readonly labels: Node;
  /** The sample weights input `sample_weight` (`[batch]`), fed when `fit` or `evaluate` is given weights. */
  readonly sampleWeight: Node;
  /** The loss as written by the loss function (before the pipeline). */
  readonly writtenLoss: Node;
  /** The pipeline's result: the loss, gradients and prediction that training runs (training mode), and the moving statistics' batch values. */
  readonly training: PreparedTraining;
  /** The same for inference mode (what `evaluate` runs): the same object as `training` when no layer depends on the mode. */
  readonly inference: PreparedTraining;
  /** The loss as written on the inference-mode output (what `toGraph()` shows). */
  readonly writtenInferenceLoss: Node;
  /** Optimizer state: steps taken, moments. */
  readonly state: OptimizerState;
  readonly backend: Backend;
  readonly matmul: 'simd' | 'exact';
}

/**
 * The compiled training graph of a model, with what pictures need: the rewrite report (fused
 * ops highlighted) and the forward nodes (gradient nodes drawn dashed).
 * @example
 * ```ts
 * const g = model.toGraph({ stage: 'compiled' });
 * toDot(g, { report: g.report, forward: g.forward });
 * ```
 */
export interface CompiledGraph extends Graph {
  readonly report: RewriteReport;
  readonly forward: readonly Node[];
}

/**
 * Options of `evaluate` and `predict`.
 * @example
 * ```ts
 * model.evaluate(xTest, yTest, { batchSize: 512 });
 * ```
 */
export interface BatchOptions {
  /** Rows per batch (default 256). */
  readonly batchSize?: number;
}

/**
 * Options of `evaluate`.
 * @example
 * ```ts
 * model.evaluate(xTest, yTest, { sampleWeight: [1, 1, 0, 2] });
 * ```
 */
export interface EvaluateOptions extends BatchOptions {
  /** One finite non-negative weight per row, as `fit`'s: the loss is `sum(w l) / rows`. */
  readonly sampleWeight?: TensorLike;
}
