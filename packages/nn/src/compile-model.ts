/**
 * What `model.compile` builds: the options checked, the loss, optimizer and metrics resolved,
 * Keras' warnings, the loss as written on the training-mode output (and on the inference-mode
 * output when they differ), and the pipeline's result for each (stabilize, grad, simplify).
 * @module
 */
import { type DType, input, type Node, scope } from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { ModelError } from './errors.js';
import type { BuiltLayer } from './layers/layer.js';
import { lossWarnings } from './loss-warnings.js';
import { resolveLoss } from './losses/index.js';
import { resolveMetric } from './metrics.js';
import { COMPILE_OPTIONS, type CompiledModel, type CompileOptions } from './model-options.js';
import { checkKnownOptions } from './names.js';
import { resolveOptimizer } from './optimizers/index.js';
import { describeValue } from './weight-input.js';

/**
 * What `compileModel` needs of a model.
 * @example
 * ```ts
 * const target: CompileTarget = { layers, output, trainingOutput, params, trainingOutputs: { prediction }, dtype: 'float32', units: 10, weightSizes, warnings: [] };
 * ```
 */
export interface CompileTarget {
  readonly layers: readonly BuiltLayer[];
  readonly output: Node;
  readonly trainingOutput: Node;
  /** The trainable weights. */
  readonly params: readonly Node[];
  /** The training graph's outputs besides the loss: `prediction` and the moving statistics' batch values. */
  readonly trainingOutputs: { readonly [name: string]: Node };
  readonly dtype: DType;
  /** The output's last dimension (classes). */
  readonly units: number;
  /** Sizes of the trainable weights, for the optimizer's state. */
  readonly weightSizes: readonly { readonly size: number; readonly dtype: DType }[];
  /** Where warnings are kept (they also go to `onWarning`). */
  readonly warnings: string[];
}

/**
 * Checks the options and builds the compiled state.
 * @example
 * ```ts
 * const compiled = compileModel({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' }, target);
 * ```
 */
export function compileModel(options: CompileOptions, target: CompileTarget): CompiledModel {
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
  for (const message of lossWarnings(loss, target.layers)) {
    target.warnings.push(message);
    warn(message);
  }

  const units = target.units;
  const labelType = loss.labelType(units, target.dtype);
  const labels = input(labelType.shape, { name: 'y', dtype: labelType.dtype });
  const sampleWeight = input(['batch'], { name: 'sample_weight', dtype: target.dtype });
  const writtenLoss = scope('loss', () => loss.build(labels, target.trainingOutput));
  const stabilize = options.stabilize ?? true;
  const training = prepareTraining({ loss: scalarLoss(writtenLoss), params: target.params, outputs: target.trainingOutputs }, { stabilize });
  const sameModes = target.trainingOutput === target.output;
  const writtenInferenceLoss = sameModes ? writtenLoss : scope('loss', () => loss.build(labels, target.output));
  const inference = sameModes ? training : prepareTraining({ loss: scalarLoss(writtenInferenceLoss), params: target.params, outputs: { prediction: target.output } }, { stabilize });
  const state = optimizer.createState(target.weightSizes);
  const backend = options.backend ?? 'compiled';
  if (backend !== 'compiled' && backend !== 'interpreter') throw new ModelError(`compile: backend must be 'compiled' or 'interpreter', got ${JSON.stringify(backend)}`);
  const matmul = options.matmul ?? 'simd';
  if (matmul !== 'simd' && matmul !== 'exact') throw new ModelError(`compile: matmul must be 'simd' or 'exact', got ${JSON.stringify(matmul)}`);
  return { loss, optimizer, metrics, stabilize, labels, sampleWeight, writtenLoss, training, inference, writtenInferenceLoss, state, backend, matmul };
}

/**
 * A loss as a scalar: per-example losses (reduction 'none') are averaged, as `fit` trains.
 * @example
 * ```ts
 * scalarLoss(loss.build(labels, output));
 * ```
 */
export function scalarLoss(written: Node): Node {
  return written.shape.length === 0 ? written : scope('loss', () => written.mean());
}
