/**
 * `sequential` and the model it returns: Keras' `Sequential` with its words — `summary`,
 * `compile`, `fit`, `evaluate`, `predict`, `save` — over a stablegrad graph. `compile` builds the
 * loss exactly as written (probability space unless `fromLogits`), then runs the pipeline
 * (stabilize, grad, simplify); `explain` says what the stabilize pass fused.
 * @module
 */
import type { LintReport } from '@stablegrad/lint';
import { modelToOnnx, type ModelToOnnxOptions, OnnxExportError } from '@stablegrad/onnx';
import { type PreparedTraining, prepareTraining, type RewriteReport } from '@stablegrad/rewrite';
import {
  allocate, describeNonFinite, firstNonFinite, type Graph, graph, type Node, scope, type Tensor, tensor, type TensorLike, type TypedArray,
} from '@stablegrad/core';
import { checkKnownOptions, showValue } from './names.js';
import { checkSameRows, rowRange, toFeatures, toLabels, toSampleWeights } from './data.js';
import { lintModel, type ModelLintOptions } from './lint-model.js';
import { ModelError } from './errors.js';
import {
  batchLogs, checkFitOptions, fitModel, type FitOptions, type History, measure, measureModel, positiveInteger, type Rows, type StepRunner, trainStep,
} from './fit.js';
import { bindOptimizer, currentLearningRate } from './model-optimizer.js';
import { describeFusions } from './fusions.js';
import type { BuiltLayer, Layer } from './layers/layer.js';
import { compileModel, scalarLoss } from './compile-model.js';
import {
  BATCH_OPTIONS, type BatchOptions, type CompiledGraph, type CompiledModel, type CompileOptions, EVALUATE_OPTIONS, type EvaluateOptions,
  ON_BATCH_OPTIONS, type OnBatchOptions, SEQUENTIAL_OPTIONS, type SequentialOptions, type SetWeightsOptions,
} from './model-options.js';
import { buildNetwork, DEFAULT_MAX_PARAMS, type Network } from './network.js';
import { restoreOptimizerState } from './optimizer-restore.js';
import { type ModelOptimizer, type OptimizerState } from './optimizers/index.js';
import { freshSeed, type SeededRandom, seededRandom } from './random.js';
import { dependsOn, type Runnable, runnable } from './runnable.js';
import { saveModel } from './save.js';
import { type LayerSummary, layerSummaries, summarize } from './summary.js';
import { describeValue, weightFrom } from './weight-input.js';

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
export function sequential(layers: readonly Layer[], options: SequentialOptions): Sequential {
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
  /** The layers as given, in order. */
  readonly layerConfigs: readonly Layer[];
  /** Set it to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  /** Warnings from `compile` (also sent to `onWarning`). */
  readonly warnings: string[] = [];

  #network: Network;
  /** Every weight's values, in `weightNodes` order (the trainable ones and the moving statistics). */
  #weights: Tensor[];
  /** The trainable ones among them, in `params` order. */
  #trainableWeights: Tensor[];
  #compiled: CompiledModel | undefined;
  #compileOptions: CompileOptions | undefined;
  #executables: { train: Runnable; test: Runnable } | undefined;
  /** The same, for the loss with sample weights (built on first use). */
  #weightedExecutables: { train: Runnable; test: Runnable; training: PreparedTraining; inference: PreparedTraining } | undefined;
  #predictor: Runnable | undefined;
  #boundOptimizer: ModelOptimizer | undefined;
  #feedTable: Map<Node, Tensor> | undefined;
  readonly #maxParams: number;
  /** True while a `fit` call runs: a second one, or a compile, would interleave with it. */
  #training = false;

  /**
   * Use `sequential(...)`; `weights` restores saved values (every weight, in `weightNodes` order).
   * @internal
   */
  constructor(layers: readonly Layer[], options: SequentialOptions, weights?: readonly ArrayLike<number>[]) {
    if (!Array.isArray(layers)) throw new ModelError(`sequential: the layers must be an array of layers (dense(...), conv2d(...), ...), got ${describeValue(layers)}`);
    layers.forEach((layer, i) => {
      const definition = typeof layer === 'object' && layer !== null ? (layer as { definition?: { forward?: unknown } }).definition : undefined;
      if (typeof definition !== 'object' || definition === null || typeof definition.forward !== 'function') {
        throw new ModelError(`sequential: layer ${i} is ${describeValue(layer)}, not a layer made by dense(...), conv2d(...), ... or a registered layer's maker`);
      }
    });
    checkKnownOptions('sequential', options, SEQUENTIAL_OPTIONS);
    const { inputShape } = options;
    if (!Array.isArray(inputShape) || inputShape.length === 0 || inputShape.length > 8 || !inputShape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new ModelError(`sequential: inputShape must be [features] (or the shape of one example, e.g. [8, 8, 1]) of positive integers, got ${JSON.stringify(inputShape)}`);
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
    this.#network = buildNetwork(layers, inputShape, dtype, weights === undefined ? { random: seededRandom(this.seed) } : { weights }, maxParams);
    this.#weights = this.#network.weights.map((p) => tensor(p.value!));
    this.#trainableWeights = this.#weights.filter((_, i) => this.#network.trainable[i]);
  }

  /** The input node `x` (`['batch', ...inputShape]`). */
  get input(): Node { return this.#network.input; }
  /** The output node in inference mode: what the last layer declares (probabilities for a softmax layer). */
  get output(): Node { return this.#network.output; }
  /** The output node in training mode (dropout active, batch statistics): the same node as `output` when no layer depends on the mode. */
  get trainingOutput(): Node { return this.#network.trainingOutput; }
  /** The built layers: names, shapes, weights, nodes. */
  get layers(): readonly BuiltLayer[] { return this.#network.layers; }
  /** The trainable params, layer by layer (kernel, then bias): what gradients and the optimizer update. */
  get params(): readonly Node[] { return this.#network.params; }
  /** Every weight, layer by layer, trainable or not (batch normalization's moving statistics), in `getWeights` order. */
  get weightNodes(): readonly Node[] { return this.#network.weights; }
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
      weightData: this.#trainableWeights.map((w) => w.data), guard: (what) => this.#notDuringFit(what),
    });
    return this.#boundOptimizer;
  }

  /** Number of weight values, trainable and not (as Keras' `count_params`). */
  countParams(): number {
    return this.#weights.reduce((n, w) => n + w.data.length, 0);
  }

  /** Number of trainable values (what the optimizer updates). */
  countTrainableParams(): number {
    return this.#trainableWeights.reduce((n, w) => n + w.data.length, 0);
  }

  /**
   * Each layer's type, activation, output shape (batch first) and parameter count, keyed by the
   * layer's name, which is also the top-level scope of its nodes: what `toDot`'s `scopes` option
   * takes to label each layer's cluster.
   * @example
   * ```ts
   * toDot(model.toGraph(), { scopes: model.layerSummaries() });
   * model.layerSummaries().conv2d_1; // { type: 'conv2d', activation: 'relu', outputShape: [null, 6, 6, 8], params: 80 }
   * ```
   */
  layerSummaries(): Record<string, LayerSummary> {
    return layerSummaries(this.layers);
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
    this.#compiled = compileModel(options, {
      layers: this.layers, output: this.output, trainingOutput: this.trainingOutput, params: this.params, trainingOutputs: this.#trainingOutputs(),
      dtype: this.dtype, units: this.#units(), weightSizes: this.#trainableWeights.map((w) => ({ size: w.data.length, dtype: w.dtype })),
      warnings: this.warnings,
    });
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
    const features = toFeatures(x, this.inputShape, this.dtype, 'x');
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
    const features = toFeatures(x, this.inputShape, this.dtype, 'x');
    const rows = features.shape[0]!;
    const batchSize = positiveInteger(options.batchSize ?? 256, 'predict: batchSize');
    const outputShape = this.layers[this.layers.length - 1]!.outputShape;
    const units = outputShape.reduce((a, b) => a * b, 1);
    const out = tensor(allocate(this.dtype, rows * units), { shape: [rows, ...outputShape] });
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
    if (weights.length !== this.#weights.length) throw new ModelError(`setWeights: expected ${this.#weights.length} tensors (${this.weightNodes.map((p) => p.path).join(', ')}), got ${weights.length}`);
    const values = weights.map((w, i) => weightFrom(w, this.weightNodes[i]!, this.dtype, cast));
    values.forEach((v, i) => this.#weights[i]!.data.set(v));
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
    const { training, writtenInferenceLoss } = rebuilt.#compiled!;
    if (stage === 'written') return graph({ loss: writtenInferenceLoss, prediction: rebuilt.output });
    return { ...training.graph, report: training.report, forward: [training.loss, ...Object.values(training.outputs)] };
  }

  /**
   * The model as an ONNX file (bytes), for ONNX Runtime and other engines: the prediction graph
   * by default, or with `{ stage: 'training' }` what training runs (the stabilized loss, its
   * gradients and the prediction). Fused ops are written as their stable decompositions. Same
   * as `modelToOnnx(model, options)` from `@stablegrad/onnx`. A layer whose op has no ONNX
   * mapping is an `OnnxExportError` naming the layer and its type.
   * @example
   * ```ts
   * writeFileSync('digits.onnx', model.toOnnx());
   * const session = await ort.InferenceSession.create(model.toOnnx());
   * ```
   */
  toOnnx(options: ModelToOnnxOptions = {}): Uint8Array {
    try {
      return modelToOnnx(this, options);
    } catch (e) {
      // Say which layer holds the op ONNX cannot take (its nodes' paths start with its name).
      const layer = e instanceof OnnxExportError ? this.layers.find((l) => e.message.includes(`'${l.name}/`)) : undefined;
      if (layer === undefined) throw e;
      throw new OnnxExportError((e as OnnxExportError).op, `layer '${layer.name}' (${layer.type}) cannot be exported to ONNX: ${(e as Error).message}`);
    }
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
    restoreOptimizerState(this.#requireCompiled('restoreOptimizerState'), iterations, slots, extra);
  }

  /** The step-level API and `optimizer.apply` wait for a running `fit` to finish. */
  #notDuringFit(what: string): void {
    if (this.#training) throw new ModelError(`${what}: the model is training (a fit call has not finished); await it first`);
  }

  /** The output's last dimension: the classes or targets the labels are checked against. */
  #units(): number {
    return this.output.shape[this.output.shape.length - 1] as number;
  }

  /** The training graph's outputs: the prediction, and each moving statistic's batch value. */
  #trainingOutputs(): { [name: string]: Node } {
    const outputs: { [name: string]: Node } = { prediction: this.trainingOutput };
    this.#network.movingUpdates.forEach((update, i) => { outputs[`moving_${i}`] = update.value; });
    return outputs;
  }

  #requireCompiled(what: string): CompiledModel {
    if (this.#compiled === undefined) throw new ModelError(`${what}: the model is not compiled; call model.compile({ loss, optimizer }) first`);
    return this.#compiled;
  }

  #data(x: TensorLike, y: TensorLike, xWhat: string, yWhat: string, w?: TensorLike, wWhat = 'sampleWeight'): Rows {
    const compiled = this.#requireCompiled('fit');
    const features = toFeatures(x, this.inputShape, this.dtype, xWhat);
    const labels = toLabels(y, compiled.loss, this.#units(), this.dtype, yWhat, features.shape[0]);
    checkSameRows(features, labels, xWhat, yWhat);
    if (w === undefined) return { x: features, y: labels };
    return { x: features, y: labels, w: toSampleWeights(w, features.shape[0]!, this.dtype, wWhat) };
  }

  /** The training and inference graphs of the loss with sample weights, compiled on first use. */
  #weighted(compiled: CompiledModel): { train: Runnable; test: Runnable; training: PreparedTraining; inference: PreparedTraining } {
    if (this.#weightedExecutables !== undefined) return this.#weightedExecutables;
    const build = (output: Node): Node => {
      const written = scope('loss', () => compiled.loss.build(compiled.labels, output, compiled.sampleWeight));
      // A custom loss whose build ignores its third argument would train as if unweighted.
      if (!dependsOn(written, compiled.sampleWeight)) {
        throw new ModelError(`sampleWeight: the loss (${compiled.loss.description}) does not use the sample weights its build(yTrue, yPred, sampleWeight) receives; weight its per-example losses, or drop sampleWeight`);
      }
      return scalarLoss(written);
    };
    const { stabilize, backend, matmul } = compiled;
    const training = prepareTraining({ loss: build(this.trainingOutput), params: this.params, outputs: this.#trainingOutputs() }, { stabilize });
    const inference = this.trainingOutput === this.output ? training : prepareTraining({ loss: build(this.output), params: this.params, outputs: { prediction: this.output } }, { stabilize });
    this.#weightedExecutables = {
      training,
      inference,
      train: runnable(trainOutputs(training), backend, matmul),
      test: runnable([inference.loss, inference.outputs.prediction!], backend, matmul),
    };
    return this.#weightedExecutables;
  }

  // One feed table per compile, reused by every step: the weight tensors never change identity
  // (updates and setWeights write into their data), only the batch does.
  #feeds(x: Tensor, y?: Tensor, w?: Tensor): Map<Node, Tensor> {
    if (this.#feedTable === undefined) {
      this.#feedTable = new Map<Node, Tensor>();
      this.weightNodes.forEach((p, i) => this.#feedTable!.set(p, this.#weights[i]!));
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

  // A training step's own inputs (dropout masks), drawn from the model's seed and the number of
  // steps taken: the same run repeats bit for bit, and a loaded model goes on with new masks.
  #feedStepInputs(feeds: Map<Node, Tensor>, rows: number, steps: number): void {
    const { stepInputs } = this.#network;
    if (stepInputs.length === 0) return;
    const random: SeededRandom = seededRandom(Math.imul(this.seed | 0, 0x85ebca6b) ^ Math.imul(steps + 1, 0xc2b2ae35) ^ 0x27d4eb2f);
    for (const { node, fill } of stepInputs) {
      const shape = [rows, ...node.shape.slice(1) as number[]];
      const size = shape.reduce((a, b) => a * b, 1);
      const data = allocate(this.dtype, size);
      data.set(fill(size, random));
      feeds.set(node, { dtype: this.dtype, shape, data });
    }
  }

  #runner(compiled: CompiledModel): StepRunner {
    const { training, inference, metrics, optimizer, state, loss, backend, matmul } = compiled;
    this.#executables ??= {
      train: runnable(trainOutputs(training), backend, matmul),
      test: runnable([inference.loss, inference.outputs.prediction!], backend, matmul),
    };
    const { train, test } = this.#executables;
    const count = training.gradients.length;
    const weightData = this.#trainableWeights.map((w) => w.data);
    const moving = this.#network.movingUpdates;
    // The batch statistics of the last training run, applied with its update (not by computeGradients alone).
    let pending: Float64Array[] = [];
    const trainingFeeds = (x: Tensor, y: Tensor, w?: Tensor): Map<Node, Tensor> => {
      const feeds = this.#feeds(x, y, w);
      this.#feedStepInputs(feeds, x.shape[0]!, state.iterations);
      return feeds;
    };
    return {
      metrics,
      fromLogits: loss.config.fromLogits,
      paramPaths: this.params.map((p) => p.path),
      train: (x, y, w) => {
        const out = (w === undefined ? train : this.#weighted(compiled).train)(trainingFeeds(x, y, w));
        pending = moving.map((_, i) => Float64Array.from(out[2 + count + i]!.data));
        return { loss: out[0]!.data[0]!, gradients: out.slice(1, 1 + count).map((g) => g.data), prediction: out[1 + count]! };
      },
      update: (gradients: readonly TypedArray[]) => {
        optimizer.step(state, weightData, gradients);
        // Keras: moving = momentum * moving + (1 - momentum) * batch value.
        moving.forEach(({ index, momentum }, i) => {
          const target = this.#weights[index]!.data;
          const value = pending[i];
          if (value === undefined) return;
          for (let j = 0; j < target.length; j++) target[j] = momentum * target[j]! + (1 - momentum) * value[j]!;
        });
        pending = [];
      },
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
        const found = firstNonFinite([graph.loss, ...graph.gradients], trainingFeeds(x, y, w));
        return found === undefined ? undefined : describeNonFinite(found);
      },
    };
  }
}

/** What a training run computes: the loss, the gradients, the prediction, the moving statistics' batch values. */
function trainOutputs(training: PreparedTraining): Node[] {
  const moving = Object.keys(training.outputs).filter((name) => name.startsWith('moving_')).sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
  return [training.loss, ...training.gradients, training.outputs.prediction!, ...moving.map((name) => training.outputs[name]!)];
}
