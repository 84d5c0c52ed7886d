/**
 * `@stablegrad/nn`: Keras-style models on stablegrad graphs — `sequential` and its layers
 * (`dense`, `conv2d`, pooling, `flatten`, `reshape`, `dropout`, `embedding`, normalization,
 * `activation`, and user layers through `registerLayer`), losses
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
export { dense, denseDefinition, type DenseConfig, type DenseOptions } from './layers/dense.js';
export { flatten, flattenDefinition } from './layers/flatten.js';
export { conv2dDefinition, type Conv2dLayerConfig, type Conv2dLayerOptions } from './layers/conv2d.js';
export { maxPooling2d, maxPooling2dDefinition } from './layers/max-pooling-2d.js';
export { averagePooling2d, averagePooling2dDefinition } from './layers/average-pooling-2d.js';
export { type Pooling2dConfig, type Pooling2dOptions } from './layers/_pooling.js';
export { reshapeDefinition, type ReshapeConfig, type ReshapeOptions } from './layers/reshape.js';
export { layers } from './layers/makers.js';
export { activation, activationDefinition, type ActivationConfig, type ActivationOptions } from './layers/activation.js';
export { dropout, dropoutDefinition, keepMask, type DropoutConfig, type DropoutOptions } from './layers/dropout.js';
export { embedding, embeddingDefinition, type EmbeddingConfig, type EmbeddingOptions } from './layers/embedding.js';
export {
  layerNormalization, layerNormalizationDefinition, type LayerNormalizationConfig, type LayerNormalizationOptions,
} from './layers/layer-normalization.js';
export {
  batchNormalization, batchNormalizationDefinition, type BatchNormalizationConfig, type BatchNormalizationOptions,
} from './layers/batch-normalization.js';
export {
  activationOf, headLayer, type BuiltLayer, type ConfigValue, type Layer, type LayerDefinition, type LayerForward, type LayerMode, type MovingUpdate, type StepInput,
  type WeightSpec,
} from './layers/layer.js';
export { ConfigReader } from './layers/config-reader.js';
export { makeLayer, layerNameProblem } from './layers/make-layer.js';
export { LAYERS, layerDefinition, layerTypes, registerLayer } from './layers/registry.js';
export { layerSummaries, type LayerSummary } from './summary.js';
export {
  glorotNormal, glorotUniform, heNormal, heUniform, randomUniform, initializers, type Fans, type Initializer, type InitializerName,
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
export { sequential, Sequential } from './model.js';
export type {
  Backend, SequentialOptions, CompileOptions, CompiledModel, CompiledGraph, BatchOptions, EvaluateOptions, SetWeightsOptions, OnBatchOptions,
} from './model-options.js';
export { DEFAULT_MAX_PARAMS } from './network.js';
export {
  DEFAULT_MAX_MODEL_BYTES, loadModel, modelFromJSON, modelToJSON, saveModel, MODEL_FORMAT, MODEL_VERSION, type LoadOptions, type ModelJSON, type LayerJSON, type CompileJSON, type WeightJSON,
  type OptimizerStateJSON,
} from './save.js';
export { loadModelFromBlob, loadModelFromString, loadModelFromUrl, saveModelToBlob, saveModelToString } from './save-text.js';
export { type LintableModel, lintModel, type ModelLintOptions } from './lint-model.js';
