/**
 * A trained model to ONNX, through the narrow interface `Sequential` already has (`toGraph`), so
 * this package does not depend on `nn`.
 * @module
 */
import type { Graph } from '@stablegrad/core';
import { graph } from '@stablegrad/core';
import { toOnnx, type ToOnnxOptions } from './export.js';

/**
 * What `modelToOnnx` needs of a model: `Sequential.toGraph`.
 * @example
 * ```ts
 * const source: GraphSource = sequential([dense({ units: 3 })], { inputShape: [4] });
 * ```
 */
export interface GraphSource {
  /** The forward graph and the loss as written (output `prediction`). */
  toGraph(options?: { stage?: 'written' }): Graph;
  /** What training runs: the stabilized loss, its gradients and the prediction. */
  toGraph(options: { stage: 'compiled' }): Graph;
}

/**
 * Options of `modelToOnnx`.
 * @example
 * ```ts
 * modelToOnnx(model, { stage: 'training' });
 * ```
 */
export interface ModelToOnnxOptions extends ToOnnxOptions {
  /**
   * `'prediction'` (default): the forward graph, for serving. `'training'`: what training runs
   * after stabilize, grad and simplify: outputs `loss` (the stabilized loss), `grad(<param>)`
   * for each parameter and `prediction` (needs `model.compile(...)`).
   */
  readonly stage?: 'prediction' | 'training';
}

/**
 * Exports a model (`sequential(...)`, `loadModel(...)`) to ONNX bytes with its current weights
 * as initializers and `batch` as a dim param.
 * @example
 * ```ts
 * writeFileSync('digits.onnx', modelToOnnx(model));                        // serving
 * writeFileSync('digits-train.onnx', modelToOnnx(model, { stage: 'training' })); // loss and gradients
 * ```
 */
export function modelToOnnx(model: GraphSource, options: ModelToOnnxOptions = {}): Uint8Array {
  const { stage = 'prediction', ...rest } = options;
  if (stage === 'training') {
    return toOnnx(model.toGraph({ stage: 'compiled' }), rest);
  }
  const written = model.toGraph();
  const prediction = written.outputs[written.outputNames.indexOf('prediction')] ?? written.outputs[0]!;
  return toOnnx(graph({ prediction }), rest);
}
