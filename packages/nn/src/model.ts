/**
 * `sequential` and the model it returns: Keras' `Sequential` with its words — `summary`,
 * `compile`, `fit`, `evaluate`, `predict`, `save` — over a stablegrad graph. `compile` builds the
 * loss exactly as written (probability space unless `fromLogits`), then runs the pipeline
 * (stabilize, grad, simplify); `explain` says what the stabilize pass fused.
 * @module
 */
import type { LintReport } from '@stablegrad/lint';
import { modelToOnnx, type ModelToOnnxOptions } from '@stablegrad/onnx';
import {
  type PreparedTraining, prepareTraining, type RewriteReport,
} from '@stablegrad/rewrite';
import {
  describeNonFinite, evaluate as run, firstNonFinite, type Graph, graph, input, isTensor, type Node, scope, type Tensor, tensor, type TensorLike, type TypedArray,
} from '@stablegrad/core';
import { compile as compileGraph, type Executable } from '@stablegrad/compile';
import { isProbabilityActivation } from './activations.js';
import { checkKnownOptions, showValue } from './names.js';
import { checkSameRows, rowRange, toFeatures, toLabels, toSampleWeights } from './data.js';
import type { BuiltDense, DenseLayer } from './dense.js';
import { lintModel, type ModelLintOptions } from './lint-model.js';
import { ModelError } from './errors.js';
import {
  batchLogs, checkFitOptions, fitModel, type FitOptions, type History, measure, measureModel, positiveInteger, type Rows, type StepRunner, trainStep,
} from './fit.js';
import { bindOptimizer, currentLearningRate } from './model-optimizer.js';
import { describeFusions } from './fusions.js';
import { type Loss, type LossName, resolveLoss } from './losses/index.js';
import { type Metric, type MetricName, resolveMetric } from './metrics.js';
import { buildNetwork, DEFAULT_MAX_PARAMS, type Network } from './network.js';
import { type ModelOptimizer, type Optimizer, type OptimizerName, type OptimizerState, resolveOptimizer, type SlotKind } from './optimizers/index.js';
import { freshSeed, seededRandom } from './random.js';
import { saveModel } from './save.js';
import { summarize } from './summary.js';

/**
 * Options of `sequential`.
 * @example
 * ```ts
 * sequential([dense({ units: 10, activation: 'softmax' })], { inputShape: [64], seed: 42 });
 * ```
 */
export interface SequentialOptions {
  /** The shape of one example, without the batch: `[features]`. */
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

const SEQUENTIAL_OPTIONS = ['inputShape', 'dtype', 'seed', 'name', 'maxParams'] as const;
const COMPILE_OPTIONS = ['loss', 'optimizer', 'metrics', 'stabilize', 'onWarning', 'backend', 'matmul'] as const;
const BATCH_OPTIONS = ['batchSize'] as const;
const EVALUATE_OPTIONS = ['batchSize', 'sampleWeight'] as const;
const ON_BATCH_OPTIONS = ['sampleWeight'] as const;

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
  /** The pipeline's result: the loss, gradients and prediction that training runs. */
  readonly training: PreparedTraining;
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

/**
 * A stack of layers, each feeding the next, as Keras' `Sequential`.
 * @example
 * ```ts
 * const model = sequential([
 *   dense({ units: 25, activation: 'relu' }),
 *   dense({ units: 10, activation: 'softmax' }),
 * ], { inputShape: [64], seed: 42 });
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
 * console.log(model.explain());
 * const history = await model.fit(x, y, { epochs: 30, batchSize: 32, validationSplit: 0.2 });
 * ```
 */
export function sequential(layers: readonly DenseLayer[], options: SequentialOptions): Sequential {
  return new Sequential(layers, options);
}

/**
 * The model `sequential` returns.
 * @example
 * ```ts
 * const model = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [30] });
 * console.log(model.summary());
 * ```
 */
export class Sequential {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly dtype: 'float32' | 'float64';
  /** The seed of this model's randomness: pass it to `sequential` to repeat a run exactly. */
  readonly seed: number;
  /** The layer configs, in order. */
  readonly layerConfigs: readonly DenseLayer[];
  /** Set it to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  /** Warnings from `compile` (also sent to `onWarning`). */
  readonly warnings: string[] = [];

  #network: Network;
  #weights: Tensor[];
  #compiled: CompiledModel | undefined;
  #compileOptions: CompileOptions | undefined;
  #executables: { train: Runnable; test: Runnable } | undefined;
  /** The same, for the loss with sample weights (built on first use). */
  #weightedExecutables: { train: Runnable; test: Runnable; training: PreparedTraining } | undefined;
  #predictor: Runnable | undefined;
  #boundOptimizer: ModelOptimizer | undefined;
  #feedTable: Map<Node, Tensor> | undefined;
  readonly #maxParams: number;
  /** True while a `fit` call runs: a second one, or a compile, would interleave with it. */
  #training = false;

  /**
   * Use `sequential(...)`; `weights` restores saved values (kernels and biases in order).
   * @internal
   */
  constructor(layers: readonly DenseLayer[], options: SequentialOptions, weights?: readonly ArrayLike<number>[]) {
    if (!Array.isArray(layers)) throw new ModelError(`sequential: the layers must be an array of dense(...) layers, got ${describeValue(layers)}`);
    layers.forEach((layer, i) => {
      if (typeof layer !== 'object' || layer === null || (layer as { type?: unknown }).type !== 'dense') {
        throw new ModelError(`sequential: layer ${i} is ${describeValue(layer)}, not a layer made by dense(...)`);
      }
    });
    checkKnownOptions('sequential', options, SEQUENTIAL_OPTIONS);
    const { inputShape } = options;
    if (!Array.isArray(inputShape) || inputShape.length !== 1 || !Number.isInteger(inputShape[0]) || inputShape[0]! < 1) {
      throw new ModelError(`sequential: inputShape must be [features] with a positive integer, got ${JSON.stringify(inputShape)} (dense layers take feature vectors)`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ModelError(`sequential: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
    if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new ModelError(`sequential: seed must be an integer, got ${showValue(options.seed)}`);
    if (options.name !== undefined && typeof options.name !== 'string') throw new ModelError(`sequential: name must be a string, got ${describeValue(options.name)}`);
    const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
    if (!Number.isSafeInteger(maxParams) || maxParams < 1) throw new ModelError(`sequential: maxParams must be a positive integer, got ${showValue(maxParams)}`);
    this.#maxParams = maxParams;
    this.name = options.name ?? 'sequential';
    this.inputShape = [...inputShape];
    this.dtype = dtype;
    this.seed = options.seed ?? freshSeed();
    this.layerConfigs = [...layers];
    this.#network = buildNetwork(layers, inputShape[0]!, dtype, weights === undefined ? { random: seededRandom(this.seed) } : { weights }, maxParams);
    this.#weights = this.#network.params.map((p) => tensor(p.value!));
  }

  /** The input node `x` (`['batch', features]`). */
  get input(): Node { return this.#network.input; }
  /** The output node: what the last layer declares (probabilities for a softmax layer). */
  get output(): Node { return this.#network.output; }
  /** The built layers: names, params, nodes. */
  get layers(): readonly BuiltDense[] { return this.#network.layers; }
  /** The trainable params, layer by layer (kernel, then bias). */
  get params(): readonly Node[] { return this.#network.params; }
  /** What `compile` set up, or undefined before it. */
  get compiled(): CompiledModel | undefined { return this.#compiled; }
  /** The rewrite report of `compile` (every firing of every phase). */
  get report(): RewriteReport {
    return this.#requireCompiled('report').training.report;
  }

  /**
   * The compiled optimizer bound to this model's weights and state: read or set the learning
   * rate (`model.optimizer.learningRate = 1e-4`), read the step count, or apply gradients from
   * `computeGradients` (`model.optimizer.apply(gradients)`). A `ModelError` before `compile`.
   * @example
   * ```ts
   * const { gradients } = model.computeGradients(xBatch, yBatch);
   * model.optimizer.apply(gradients);
   * model.optimizer.learningRate; // 0.001
   * ```
   */
  get optimizer(): ModelOptimizer {
    const compiled = this.#requireCompiled('optimizer');
    this.#boundOptimizer ??= bindOptimizer({
      optimizer: compiled.optimizer, state: compiled.state, params: this.params, dtype: this.dtype,
      weightData: this.#weights.map((w) => w.data), guard: (what) => this.#notDuringFit(what),
    });
    return this.#boundOptimizer;
  }

  /** Number of trainable values. */
  countParams(): number {
    return this.#weights.reduce((n, w) => n + w.data.length, 0);
  }

  /**
   * A table of the layers, their output shapes and parameter counts, as Keras prints it.
   * @example
   * ```ts
   * console.log(model.summary());
   * ```
   */
  summary(): string {
    return summarize(this);
  }

  /**
   * Builds the loss as written and runs the pipeline on it: stabilize (fusing sigmoid or softmax
   * with the cross-entropy), grad, simplify. Warns, as Keras does, when `fromLogits: true` meets
   * a sigmoid or softmax output (the loss would apply it twice), and when a probability loss
   * meets an output that is not a probability.
   * @example
   * ```ts
   * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
   * ```
   */
  compile(options: CompileOptions): void {
    if (this.#training) throw new ModelError('compile: the model is training (a fit call has not finished); await it first');
    checkKnownOptions('compile', options, COMPILE_OPTIONS);
    if (options.loss === undefined) throw new ModelError('compile: a loss is needed, e.g. compile({ loss: \'sparseCategoricalCrossentropy\', optimizer: \'adam\' })');
    if (options.optimizer === undefined) throw new ModelError('compile: an optimizer is needed, e.g. compile({ loss, optimizer: \'adam\' })');
    if (options.metrics !== undefined && !Array.isArray(options.metrics)) throw new ModelError(`compile: metrics must be an array, got ${describeValue(options.metrics)}`);
    if (options.stabilize !== undefined && typeof options.stabilize !== 'boolean') throw new ModelError(`compile: stabilize must be true or false, got ${describeValue(options.stabilize)}`);
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw new ModelError(`compile: onWarning must be a function, got ${describeValue(options.onWarning)}`);
    const loss = resolveLoss(options.loss);
    const optimizer = resolveOptimizer(options.optimizer);
    const metrics = (options.metrics ?? []).map((m) => resolveMetric(m, loss.config.name));
    const names = metrics.map((m) => m.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i || n === 'loss');
    if (repeated !== undefined) throw new ModelError(`compile: two metrics are named '${repeated}' (or a metric is named 'loss')`);
    const warn = options.onWarning ?? ((message: string) => console.warn(`Warning: ${message}`));
    for (const message of this.#lossWarnings(loss)) {
      this.warnings.push(message);
      warn(message);
    }

    const units = this.#units();
    const labelType = loss.labelType(units, this.dtype);
    const labels = input(labelType.shape, { name: 'y', dtype: labelType.dtype });
    const sampleWeight = input(['batch'], { name: 'sample_weight', dtype: this.dtype });
    const writtenLoss = scope('loss', () => loss.build(labels, this.output));
    // fit trains on a scalar: per-example losses (reduction 'none') are averaged.
    const trainingLoss = writtenLoss.shape.length === 0 ? writtenLoss : scope('loss', () => writtenLoss.mean());
    const stabilize = options.stabilize ?? true;
    const training = prepareTraining({ loss: trainingLoss, params: this.params, outputs: { prediction: this.output } }, { stabilize });
    const state = optimizer.createState(this.#weights.map((w) => ({ size: w.data.length, dtype: w.dtype })));
    const backend = options.backend ?? 'compiled';
    if (backend !== 'compiled' && backend !== 'interpreter') throw new ModelError(`compile: backend must be 'compiled' or 'interpreter', got ${JSON.stringify(backend)}`);
    const matmul = options.matmul ?? 'simd';
    if (matmul !== 'simd' && matmul !== 'exact') throw new ModelError(`compile: matmul must be 'simd' or 'exact', got ${JSON.stringify(matmul)}`);
    this.#compiled = { loss, optimizer, metrics, stabilize, labels, sampleWeight, writtenLoss, training, state, backend, matmul };
    this.#executables = undefined;
    this.#weightedExecutables = undefined;
    this.#predictor = undefined;
    this.#boundOptimizer = undefined;
    this.#feedTable = undefined;
    this.#compileOptions = options;
  }

  /**
   * What the stabilize pass did, in a few lines: each fusion with the layer it came from, e.g.
   * `dense_3: softmax + sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits`,
   * then the rules that fired. `{ detail: true }` adds every firing with its before and after.
   * @example
   * ```ts
   * console.log(model.explain());
   * ```
   */
  explain(options: { detail?: boolean } = {}): string {
    const compiled = this.#requireCompiled('explain');
    return describeFusions(compiled.training.report, compiled.training.graph, {
      layers: this.layers, loss: compiled.loss, stabilize: compiled.stabilize, detail: options.detail ?? false,
    });
  }

  /**
   * Trains the model (Keras' `fit`): mini-batches, shuffled each epoch, the optimizer's update
   * after each, and per epoch the loss and metrics (and validation ones). Data are checked
   * first (`DataError`); a loss or gradient that stops being finite ends training with a
   * `TrainingError` naming the epoch and batch. In a terminal a progress bar shows each epoch.
   * @example
   * ```ts
   * const history = await model.fit(x, y, { epochs: 20, batchSize: 32, validationSplit: 0.2 });
   * history.history.val_accuracy.at(-1);
   * ```
   */
  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    const compiled = this.#requireCompiled('fit');
    if (this.#training) throw new ModelError('fit: the model is already training (a fit call has not finished); await it before fitting again');
    checkFitOptions(options);
    const data = this.#data(x, y, 'x', 'y', options.sampleWeight, 'sampleWeight');
    const v = options.validationData;
    const validation = v === undefined ? undefined : this.#data(v[0], v[1], 'validationData[0]', 'validationData[1]', v[2], 'validationData[2]');
    // Each fit call draws from its own stream, keyed by the optimizer steps taken so far (saved
    // with the model): a second fit call does not repeat the first's shuffles, and a loaded model
    // goes on with the same shuffles as the model that was saved.
    const random = seededRandom(this.seed + 0x9e3779b9 * (compiled.state.iterations + 1));
    this.#training = true;
    try {
      return await fitModel(this, this.#runner(compiled), data, validation, options, random);
    } finally {
      this.#training = false;
    }
  }

  /**
   * The loss and metrics on `x`, `y` (the compiled, stabilized loss; reduction as compiled, batch
   * losses weighted by their rows; `sampleWeight` weights each row's loss as in `fit`).
   * @example
   * ```ts
   * model.evaluate(xTest, yTest); // { loss: 0.08, accuracy: 0.97 }
   * ```
   */
  evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): { [name: string]: number } {
    const compiled = this.#requireCompiled('evaluate');
    checkKnownOptions('evaluate', options, EVALUATE_OPTIONS);
    const data = this.#data(x, y, 'x', 'y', options.sampleWeight, 'sampleWeight');
    return measureModel(this.#runner(compiled), data, options.batchSize ?? 256);
  }

  /**
   * One training step on one batch (Keras' `train_on_batch`, PyTorch's `loss.backward();
   * optimizer.step()`): the loss and metrics of these rows at the current weights, then one
   * optimizer update from their gradients (clipping, weight decay and the learning rate or
   * schedule as in `fit`). Returns the batch's `{ loss, ...metrics }`. A loss or gradient that is
   * not finite is a `TrainingError` and changes nothing; data are checked as `fit` checks them.
   * @example
   * ```ts
   * for (let epoch = 0; epoch < 10; epoch++) {
   *   for (const [xb, yb] of batches) console.log(model.trainOnBatch(xb, yb).loss);
   * }
   * ```
   */
  trainOnBatch(x: TensorLike, y: TensorLike, options: OnBatchOptions = {}): { [name: string]: number } {
    const compiled = this.#requireCompiled('trainOnBatch');
    this.#notDuringFit('trainOnBatch');
    checkKnownOptions('trainOnBatch', options, ON_BATCH_OPTIONS);
    const runner = this.#runner(compiled);
    return { ...batchLogs(runner, trainStep(runner, this.#data(x, y, 'x', 'y', options.sampleWeight), 'in trainOnBatch')) };
  }

  /**
   * The loss and metrics of one batch at the current weights, without training (Keras'
   * `test_on_batch`): `{ loss, ...metrics }`.
   * @example
   * ```ts
   * model.testOnBatch(xBatch, yBatch); // { loss: 0.21, accuracy: 0.94 }
   * ```
   */
  testOnBatch(x: TensorLike, y: TensorLike, options: OnBatchOptions = {}): { [name: string]: number } {
    const compiled = this.#requireCompiled('testOnBatch');
    checkKnownOptions('testOnBatch', options, ON_BATCH_OPTIONS);
    const runner = this.#runner(compiled);
    const data = this.#data(x, y, 'x', 'y', options.sampleWeight);
    const { loss, prediction } = runner.test(data.x, data.y, data.w);
    return { ...batchLogs(runner, { loss, rows: data.x.shape[0]!, measured: measure(runner, data.y, prediction) }) };
  }

  /**
   * The model's output for `x` in one run (Keras' `predict_on_batch`): `predict` without batching.
   * @example
   * ```ts
   * model.predictOnBatch(xBatch); // [rows, units]
   * ```
   */
  predictOnBatch(x: TensorLike): Tensor {
    const features = toFeatures(x, this.inputShape[0]!, this.dtype, 'x');
    return this.predict(features, { batchSize: Math.max(1, features.shape[0]!) });
  }

  /**
   * The loss of one batch and its gradients with respect to every weight (in `getWeights()`
   * order, each of its weight's shape), from the compiled (stabilized) loss; nothing changes.
   * With `model.optimizer.apply(gradients)` it is a training step written by hand, as
   * `loss.backward()` and `optimizer.step()` in PyTorch or `tape.gradient` and `apply` in Keras.
   * @example
   * ```ts
   * const { loss, gradients } = model.computeGradients(xBatch, yBatch);
   * model.optimizer.apply(gradients.map((g) => clipMyWay(g)));
   * ```
   */
  computeGradients(x: TensorLike, y: TensorLike, options: OnBatchOptions = {}): { loss: number; gradients: Tensor[] } {
    const compiled = this.#requireCompiled('computeGradients');
    checkKnownOptions('computeGradients', options, ON_BATCH_OPTIONS);
    const data = this.#data(x, y, 'x', 'y', options.sampleWeight);
    const { loss, gradients } = this.#runner(compiled).train(data.x, data.y, data.w);
    // Copies: the runner's buffers are reused by the next run.
    return { loss, gradients: gradients.map((g, i) => tensor(g.slice(), { shape: this.params[i]!.shape as number[] })) };
  }

  /**
   * The model's output for `x`: what the last layer declares (class probabilities for a softmax
   * layer, even though training used the fused logits), `[rows, units]`.
   * @example
   * ```ts
   * const probabilities = model.predict(xTest); // Float32Array rows of 10 probabilities
   * ```
   */
  predict(x: TensorLike, options: BatchOptions = {}): Tensor {
    checkKnownOptions('predict', options, BATCH_OPTIONS);
    const features = toFeatures(x, this.inputShape[0]!, this.dtype, 'x');
    const rows = features.shape[0]!;
    const batchSize = positiveInteger(options.batchSize ?? 256, 'predict: batchSize');
    const units = this.#units();
    const out = tensor(new (this.dtype === 'float32' ? Float32Array : Float64Array)(rows * units), { shape: [rows, units] });
    this.#predictor ??= runnable([this.output], this.#compiled?.backend ?? 'compiled', this.#compiled?.matmul ?? 'simd');
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      const [batch] = this.#predictor(this.#feeds(rowRange(features, start, end)));
      out.data.set(batch!.data, start * units);
    }
    return out;
  }

  /**
   * Copies of the current weights, kernels and biases in layer order.
   * @example
   * ```ts
   * const [kernel, bias] = model.getWeights();
   * ```
   */
  getWeights(): Tensor[] {
    return this.#weights.map((w) => tensor(w));
  }

  /**
   * Replaces the weights (same order and shapes as `getWeights`): tensors, or nested number
   * arrays in Keras' `get_weights()` layout (`[[kernel rows...], [bias...], ...]`). A dtype
   * other than the model's is refused unless `cast: true` (float64 into float32 rounds to
   * nearest). Everything is checked before any weight changes.
   * @example
   * ```ts
   * model.setWeights(other.getWeights());
   * model.setWeights([[[0.1, 0.2], [0.3, 0.4]], [0, 0]]); // a [2, 2] kernel and its bias
   * ```
   */
  setWeights(weights: readonly (Tensor | TensorLike)[], options: SetWeightsOptions = {}): void {
    checkKnownOptions('setWeights', options, ['cast']);
    const cast = options.cast ?? false;
    if (typeof cast !== 'boolean') throw new ModelError(`setWeights: cast must be true or false, got ${describeValue(cast)}`);
    if (!Array.isArray(weights)) throw new ModelError(`setWeights: expected an array of ${this.#weights.length} weights, got ${describeValue(weights)}`);
    if (weights.length !== this.#weights.length) throw new ModelError(`setWeights: expected ${this.#weights.length} tensors (${this.params.map((p) => p.path).join(', ')}), got ${weights.length}`);
    const values = weights.map((w, i) => this.#weightFrom(w, this.params[i]!, cast));
    values.forEach((v, i) => this.#weights[i]!.data.set(v));
  }

  /** One weight given to `setWeights`, checked and in the model's dtype. */
  #weightFrom(w: Tensor | TensorLike, param: Node, castAsked: boolean): TypedArray {
    let cast = castAsked;
    const shape = param.shape as readonly number[];
    const expected = `[${shape.join(', ')}] ${this.dtype}`;
    let given: Tensor;
    if (isTensor(w)) {
      given = w;
    } else if (ArrayBuffer.isView(w) || Array.isArray(w)) {
      const found = nestedShape(w);
      if (typeof found === 'string') throw new ModelError(`setWeights: '${param.path}' is ${expected}; the array given ${found}`);
      try {
        // Plain numbers have no dtype of their own: read exactly, then rounded to the model's.
        given = ArrayBuffer.isView(w) ? tensor(w, { shape: found }) : tensor(w, { dtype: 'float64', shape: found });
        if (!ArrayBuffer.isView(w)) cast = true;
      } catch (e) {
        throw new ModelError(`setWeights: '${param.path}': ${(e as Error).message}`);
      }
    } else {
      throw new ModelError(`setWeights: '${param.path}' must be a tensor or a nested array of numbers, got ${describeValue(w)}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const found = `[${given.shape.join(', ')}] ${isTensor(w) || ArrayBuffer.isView(w) ? `${given.dtype} ` : ''}with ${given.data.length} values`;
    if (given.shape.join() !== shape.join() || given.data.length !== size) {
      const flat = given.shape.length === 1 && shape.length === 2 && given.data.length === size ? ' (a flat array: give it as rows, or as a tensor of that shape)' : '';
      throw new ModelError(`setWeights: '${param.path}' is [${shape.join(', ')}] ${this.dtype} (${size} values), got ${found}${flat}`);
    }
    if (given.dtype !== this.dtype && !(cast && (given.dtype === 'float32' || given.dtype === 'float64'))) {
      const hint = given.dtype === 'float32' || given.dtype === 'float64' ? `; pass { cast: true } to round it to ${this.dtype}` : '';
      throw new ModelError(`setWeights: '${param.path}' is [${shape.join(', ')}] ${this.dtype} (${size} values), got ${found}${hint}`);
    }
    const out = this.dtype === 'float32' ? Float32Array.from(given.data) : Float64Array.from(given.data);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        const original = given.data[i]!;
        throw new ModelError(`setWeights: '${param.path}' has a value that is not finite: element ${i} is ${original}${Number.isFinite(original) ? `, beyond ${this.dtype}'s range` : ''}`);
      }
    }
    return out;
  }

  /**
   * The model as a graph, with its current weights. `stage: 'written'` (default) is the forward
   * graph and the loss as written (what the `stablegrad` CLI reads), with outputs `loss` (once
   * compiled) and `prediction`; `'compiled'` is what training runs after stabilize, grad and
   * simplify (outputs `loss`, `grad(<param>)` per param, `prediction`), with the rewrite report
   * and the forward nodes that `toDot` uses to highlight fused ops and dash gradient nodes.
   * @example
   * ```ts
   * writeFileSync('model.json', JSON.stringify(toJSON(model.toGraph())));
   * const compiled = model.toGraph({ stage: 'compiled' });
   * writeFileSync('training.dot', toDot(compiled, { report: compiled.report, forward: compiled.forward }));
   * ```
   */
  toGraph(options?: { stage?: 'written' }): Graph;
  toGraph(options: { stage: 'compiled' }): CompiledGraph;
  toGraph(options: { stage?: 'written' | 'compiled' } = {}): Graph | CompiledGraph {
    const stage = options.stage ?? 'written';
    const rebuilt = new Sequential(this.layerConfigs, this.#options(), this.#weights.map((w) => w.data));
    if (this.#compileOptions === undefined) {
      if (stage === 'compiled') throw new ModelError('toGraph: the compiled stage needs model.compile(...) first');
      return graph({ prediction: rebuilt.output });
    }
    rebuilt.compile({ ...this.#compileOptions, onWarning: () => {} });
    const { training, writtenLoss } = rebuilt.#compiled!;
    if (stage === 'written') return graph({ loss: writtenLoss, prediction: rebuilt.output });
    return { ...training.graph, report: training.report, forward: [training.loss, ...Object.values(training.outputs)] };
  }

  /**
   * The model as an ONNX file (bytes), for ONNX Runtime and other engines: the prediction graph
   * by default, or with `{ stage: 'training' }` what training runs (the stabilized loss, its
   * gradients and the prediction). Fused ops are written as their stable decompositions. Same
   * as `modelToOnnx(model, options)` from `@stablegrad/onnx`.
   * @example
   * ```ts
   * writeFileSync('digits.onnx', model.toOnnx());
   * const session = await ort.InferenceSession.create(model.toOnnx());
   * ```
   */
  toOnnx(options: ModelToOnnxOptions = {}): Uint8Array {
    return modelToOnnx(this, options);
  }

  /**
   * The stability lint on what this model trains: its loss and gradients as written (before
   * stabilize), at the current weights, measured against a high-precision reference on rows of
   * `x` and `y` (or on drawn inputs), and checked against the graph compile's stabilize pass
   * trains. Says which nodes lose digits, where, and whether that graph is clean
   * (`formatLint(report)` prints it). Loads the lint package on first use.
   * @example
   * ```ts
   * const report = await model.lint({ x: features, y: labels, samples: 100 });
   * console.log(formatLint(report));             // from 'stablegrad/testing'
   * report.stabilized?.clean;                    // true: what training runs loses nothing
   * ```
   */
  lint(options: ModelLintOptions = {}): Promise<LintReport> {
    return lintModel(this, options);
  }

  /**
   * Writes the model to one JSON file: layers, weights, compile settings and optimizer state
   * (`loadModel(path)` reads it back exactly).
   * @example
   * ```ts
   * model.save('digits.model.json');
   * ```
   */
  save(path: string): void {
    saveModel(this, path);
  }

  /** Whether a `fit` call is running on this model. */
  get training(): boolean {
    return this.#training;
  }

  /** The options that rebuild this model. @internal */
  #options(): SequentialOptions {
    return { inputShape: this.inputShape, dtype: this.dtype, seed: this.seed, name: this.name, maxParams: this.#maxParams };
  }

  /** For saving: the compile options and the optimizer state. @internal */
  get savedState(): { compile: CompileOptions | undefined; state: OptimizerState | undefined; weights: readonly Tensor[] } {
    return { compile: this.#compileOptions, state: this.#compiled?.state, weights: this.#weights };
  }

  /** For loading: restores the optimizer's step count, slots, learning rate and scalars. @internal */
  restoreOptimizerState(
    iterations: number, slots: { readonly [slot: string]: readonly ArrayLike<number>[] },
    extra: { readonly learningRate?: number | undefined; readonly scalars?: { readonly [name: string]: number } | undefined } = {},
  ): void {
    const { state, optimizer } = this.#requireCompiled('restoreOptimizerState');
    if (!Number.isSafeInteger(iterations) || iterations < 0) throw new ModelError(`optimizer state: the step count must be an integer >= 0, got ${iterations}`);
    for (const [name, arrays] of Object.entries(slots)) {
      // Own slots only: a file's slot named 'constructor' must not find Object.prototype's.
      const target = Object.hasOwn(state.slots, name) ? state.slots[name] : undefined;
      if (target === undefined || target.length !== arrays.length) throw new ModelError(`optimizer slot '${name}' does not fit this optimizer`);
      arrays.forEach((values, i) => {
        if (values.length !== target[i]!.length) throw new ModelError(`optimizer slot '${name}' #${i} has ${values.length} values, expected ${target[i]!.length}`);
      });
    }
    // Restored steps with zeroed moments would not resume the run: every slot must be given.
    const missing = Object.keys(state.slots).find((name) => !Object.hasOwn(slots, name));
    if (missing !== undefined) throw new ModelError(`optimizer slot '${missing}' is missing`);
    const scalars = extra.scalars ?? {};
    const kinds: { readonly [name: string]: SlotKind } = optimizer.scalarKinds ?? {};
    const absent = Object.keys(kinds).find((name) => !Object.hasOwn(scalars, name));
    if (absent !== undefined) throw new ModelError(`optimizer scalar '${absent}' is missing`);
    const foreign = Object.keys(scalars).find((name) => !Object.hasOwn(kinds, name) && !Object.hasOwn(state.scalars ?? {}, name));
    if (foreign !== undefined) throw new ModelError(`optimizer scalar '${foreign}' does not fit this optimizer`);
    if (extra.learningRate !== undefined) {
      if (optimizer.schedule !== undefined) throw new ModelError(`optimizer state: a learning rate of ${extra.learningRate} is given, but the rate follows a schedule (${optimizer.schedule.config.name})`);
      if (!(extra.learningRate > 0 && Number.isFinite(extra.learningRate))) throw new ModelError(`optimizer state: the learning rate must be a finite number > 0, got ${extra.learningRate}`);
    }
    // Everything checked: now write.
    for (const [name, arrays] of Object.entries(slots)) arrays.forEach((values, i) => state.slots[name]![i]!.set(values));
    if (state.scalars !== undefined) for (const [name, value] of Object.entries(scalars)) state.scalars[name] = value;
    if (extra.learningRate !== undefined) state.learningRate = extra.learningRate;
    state.iterations = iterations;
  }

  /** The step-level API and `optimizer.apply` wait for a running `fit` to finish. */
  #notDuringFit(what: string): void {
    if (this.#training) throw new ModelError(`${what}: the model is training (a fit call has not finished); await it first`);
  }

  #units(): number {
    return this.output.shape[1] as number;
  }

  #requireCompiled(what: string): CompiledModel {
    if (this.#compiled === undefined) throw new ModelError(`${what}: the model is not compiled; call model.compile({ loss, optimizer }) first`);
    return this.#compiled;
  }

  #lossWarnings(loss: Loss): string[] {
    const last = this.layers[this.layers.length - 1]!;
    const { name, fromLogits } = loss.config;
    if (name === 'meanSquaredError') return [];
    const probability = isProbabilityActivation(last.config.activation);
    if (fromLogits && probability) {
      return [`${name} received fromLogits: true, but the output of '${last.name}' comes from a ${last.config.activation} activation and thus does not represent logits. Was this intended? (use activation 'linear', or drop fromLogits)`];
    }
    if (!fromLogits && !probability) {
      return [`${name} expects probabilities, but '${last.name}' has activation '${last.config.activation}'; pass fromLogits: true if its outputs are logits`];
    }
    const expected = name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
    if (!fromLogits && last.config.activation !== expected) {
      return [`${name} pairs with a ${expected} output, but '${last.name}' uses ${last.config.activation}; the stabilize pass only fuses ${expected} + ${loss.description}`];
    }
    return [];
  }

  #data(x: TensorLike, y: TensorLike, xWhat: string, yWhat: string, w?: TensorLike, wWhat = 'sampleWeight'): Rows {
    const compiled = this.#requireCompiled('fit');
    const features = toFeatures(x, this.inputShape[0]!, this.dtype, xWhat);
    const labels = toLabels(y, compiled.loss, this.#units(), this.dtype, yWhat, features.shape[0]);
    checkSameRows(features, labels, xWhat, yWhat);
    if (w === undefined) return { x: features, y: labels };
    return { x: features, y: labels, w: toSampleWeights(w, features.shape[0]!, this.dtype, wWhat) };
  }

  /** The training graph of the loss with sample weights, compiled on first use. */
  #weighted(compiled: CompiledModel): { train: Runnable; test: Runnable; training: PreparedTraining } {
    if (this.#weightedExecutables !== undefined) return this.#weightedExecutables;
    const written = scope('loss', () => compiled.loss.build(compiled.labels, this.output, compiled.sampleWeight));
    // A custom loss whose build ignores its third argument would train as if unweighted.
    if (!dependsOn(written, compiled.sampleWeight)) {
      throw new ModelError(`sampleWeight: the loss (${compiled.loss.description}) does not use the sample weights its build(yTrue, yPred, sampleWeight) receives; weight its per-example losses, or drop sampleWeight`);
    }
    const loss = written.shape.length === 0 ? written : scope('loss', () => written.mean());
    const training = prepareTraining({ loss, params: this.params, outputs: { prediction: this.output } }, { stabilize: compiled.stabilize });
    const prediction = training.outputs.prediction!;
    this.#weightedExecutables = {
      training,
      train: runnable([training.loss, ...training.gradients, prediction], compiled.backend, compiled.matmul),
      test: runnable([training.loss, prediction], compiled.backend, compiled.matmul),
    };
    return this.#weightedExecutables;
  }

  // One feed table per compile, reused by every step: the weight tensors never change identity
  // (updates and setWeights write into their data), only the batch does.
  #feeds(x: Tensor, y?: Tensor, w?: Tensor): Map<Node, Tensor> {
    if (this.#feedTable === undefined) {
      this.#feedTable = new Map<Node, Tensor>();
      this.params.forEach((p, i) => this.#feedTable!.set(p, this.#weights[i]!));
    }
    const feeds = this.#feedTable;
    feeds.set(this.input, x);
    const labels = this.#compiled?.labels;
    if (labels !== undefined) {
      if (y === undefined) feeds.delete(labels);
      else feeds.set(labels, y);
    }
    const sampleWeight = this.#compiled?.sampleWeight;
    if (sampleWeight !== undefined) {
      if (w === undefined) feeds.delete(sampleWeight);
      else feeds.set(sampleWeight, w);
    }
    return feeds;
  }

  #runner(compiled: CompiledModel): StepRunner {
    const { training, metrics, optimizer, state, loss, backend, matmul } = compiled;
    const prediction = training.outputs.prediction!;
    this.#executables ??= {
      train: runnable([training.loss, ...training.gradients, prediction], backend, matmul),
      test: runnable([training.loss, prediction], backend, matmul),
    };
    const { train, test } = this.#executables;
    const count = training.gradients.length;
    const weightData = this.#weights.map((w) => w.data);
    return {
      metrics,
      fromLogits: loss.config.fromLogits,
      paramPaths: this.params.map((p) => p.path),
      train: (x, y, w) => {
        const out = (w === undefined ? train : this.#weighted(compiled).train)(this.#feeds(x, y, w));
        return { loss: out[0]!.data[0]!, gradients: out.slice(1, 1 + count).map((g) => g.data), prediction: out[1 + count]! };
      },
      update: (gradients: readonly TypedArray[]) => optimizer.step(state, weightData, gradients),
      learningRate: () => currentLearningRate(optimizer, state),
      test: (x, y, w) => {
        const [lossValue, predicted] = (w === undefined ? test : this.#weighted(compiled).test)(this.#feeds(x, y, w));
        return { loss: lossValue!.data[0]!, prediction: predicted! };
      },
      weights: () => this.getWeights(),
      weightData: () => weightData,
      restoreWeights: (weights) => this.setWeights(weights),
      locateNonFinite: (x, y, w) => {
        const graph = w === undefined ? training : this.#weighted(compiled).training;
        const found = firstNonFinite([graph.loss, ...graph.gradients], this.#feeds(x, y, w));
        return found === undefined ? undefined : describeNonFinite(found);
      },
    };
  }
}

/** Whether `node` is `target` or is computed from it. */
function dependsOn(node: Node, target: Node): boolean {
  const seen = new Set<Node>();
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === target) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs);
  }
  return false;
}

/** Runs some output nodes on feeds; the results may be reused buffers (valid until the next call). */
type Runnable = (feeds: Map<Node, Tensor>) => Tensor[];

function runnable(outputs: readonly Node[], backend: Backend, matmul: 'simd' | 'exact'): Runnable {
  if (backend === 'interpreter') return (feeds) => run(outputs, feeds);
  const executable: Executable = compileGraph(outputs, { matmul });
  return (feeds) => executable.run(feeds);
}

/** The shape of a nested number array (rows of equal length), or what is wrong with it. */
function nestedShape(value: unknown): number[] | string {
  if (ArrayBuffer.isView(value)) return [(value as unknown as ArrayLike<number>).length];
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  // Walk every element level by level: ragged rows and non-numbers are named.
  let items: unknown[] = [value];
  for (let depth = 0; depth < shape.length; depth++) {
    const next: unknown[] = [];
    for (const item of items) {
      if (!Array.isArray(item)) return `has a ${describeValue(item)} where an array of ${shape[depth]} belongs (depth ${depth})`;
      if (item.length !== shape[depth]) return `is ragged: a row of ${item.length} where ${shape[depth]} belong (depth ${depth})`;
      next.push(...item);
    }
    items = next;
  }
  const bad = items.findIndex((v) => typeof v !== 'number');
  if (bad >= 0) return `has ${describeValue(items[bad])} where a number belongs (element ${bad})`;
  return shape;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${showValue(value)}`;
}
