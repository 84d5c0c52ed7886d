/**
 * `@stablegrad/nn`: Keras-style models on stablegrad graphs — `sequential` and `dense`, losses
 * with `fromLogits` (built as written, fused by the stabilize pass), initializers, optimizers
 * (`sgd`, `adam`, `adamW`, `rmsprop`, `adagrad`, `nadam`, each in Keras' or PyTorch's
 * convention) with learning-rate schedules and gradient clipping, `compile` / `fit` /
 * `evaluate` / `predict`, a step-level API (`trainOnBatch`, `computeGradients`,
 * `model.optimizer.apply`), metrics, callbacks, and `save` / `loadModel`.
 * @module
 */
export { DataError, FileWriteError, ModelError, ModelFormatError, NodeOnlyError, TrainingError } from './errors.js';
export { systemReason } from './system-reason.js';
export { writeFileAtomicSync } from '#file-system';
export { type Activation } from './activations.js';
export { dense, type DenseLayer, type DenseOptions, type BuiltDense } from './dense.js';
export {
  glorotNormal, glorotUniform, heNormal, heUniform, initializers, type Fans, type Initializer, type InitializerName,
} from './initializers.js';
export {
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError, resolveLoss,
  type Loss, type LossConfig, type LossName, type LossOptions, type Reduction,
  type BinaryCrossentropyOptions, type CategoricalCrossentropyOptions, type SparseCategoricalCrossentropyOptions,
} from './losses/index.js';
export {
  adagrad, adam, adamW, nadam, rmsprop, sgd, resolveOptimizer, registerOptimizer, isRegisteredOptimizer, isLibraryOptimizer, clipGradients,
  type AdagradOptions, type AdamOptions, type NadamOptions, type RmspropOptions, type SgdOptions, type CommonOptions, type CommonConfig, type Convention,
  type LearningRate, type ModelOptimizer, type Optimizer, type OptimizerConfig, type CustomOptimizerConfig, type OptimizerName, type OptimizerState, type SlotKind,
  cosineDecay, exponentialDecay, piecewiseConstant, resolveSchedule, type CosineDecayOptions, type ExponentialDecayOptions, type LearningRateSchedule,
  type LearningRateScheduleConfig, type PiecewiseConstantOptions,
} from './optimizers/index.js';
export {
  binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, resolveMetric, metricFromConfig, METRIC_NAMES, type Metric, type MetricConfig, type MetricContext, type MetricName,
} from './metrics.js';
export {
  earlyStopping, modelCheckpoint, type Callback, type EarlyStopping, type EarlyStoppingOptions, type Logs, type ModelCheckpoint, type ModelCheckpointOptions,
  type TrainingModel,
} from './callbacks.js';
export {
  learningRateScheduler, reduceLROnPlateau, type LearningRateSchedulerOptions, type ReduceLROnPlateau, type ReduceLROnPlateauOptions,
} from './lr-callbacks.js';
export { csvLogger, type CsvLoggerOptions } from './csv-logger.js';
export { kerasWeightsFromJSON } from './keras-weights.js';
export type { BatchOrder, FitOptions, History } from './fit.js';
export type { ProgressStream } from './progress.js';
export { seededRandom, permutation, type SeededRandom } from './random.js';
export {
  sequential, Sequential, type Backend, type SequentialOptions, type CompileOptions, type CompiledModel, type CompiledGraph, type BatchOptions, type EvaluateOptions, type SetWeightsOptions,
  type OnBatchOptions,
} from './model.js';
export { DEFAULT_MAX_PARAMS } from './network.js';
export {
  DEFAULT_MAX_MODEL_BYTES, loadModel, modelFromJSON, modelToJSON, saveModel, MODEL_FORMAT, MODEL_VERSION, type LoadOptions, type ModelJSON, type LayerJSON, type CompileJSON, type WeightJSON,
  type OptimizerStateJSON,
} from './save.js';
export { loadModelFromBlob, loadModelFromString, loadModelFromUrl, saveModelToBlob, saveModelToString } from './save-text.js';
export { type LintableModel, lintModel, type ModelLintOptions } from './lint-model.js';
