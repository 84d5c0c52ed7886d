/**
 * What the commands draw, print and stabilize of a saved model: its graph as written (the
 * forward graph and, once compiled, the loss), what training runs (stabilized loss and
 * gradients), and a summary of each layer for the picture's labels.
 * @module
 */
import type { Graph } from '@stablegrad/core';
import type { DotOptions } from '@stablegrad/dot';
import type { CompiledGraph, Sequential } from '@stablegrad/nn';
import { type Input, InputError } from './io.js';

/**
 * The graph of an input: a graph file's graph, or a model's graph as written (outputs `loss`
 * once compiled, and `prediction`).
 * @example
 * ```ts
 * const g = graphOf(await readInput('digits.model.json'));
 * ```
 */
export function graphOf(input: Input): Graph {
  return input.kind === 'graph' ? input.graph : input.model.toGraph();
}

/**
 * What a compiled model trains: the stabilized loss, its gradients and the prediction, with the
 * rewrite report and the forward nodes for a forward + gradient picture. `file` names the
 * model in the error when it was saved without `compile`.
 * @example
 * ```ts
 * const training = trainingGraphOf(model, 'digits.model.json');
 * toDot(training, { forward: training.forward, report: training.report });
 * ```
 */
export function trainingGraphOf(model: Sequential, file: string): CompiledGraph {
  if (model.compiled === undefined) throw new InputError(`${file}: the model was saved without compile, so it has no loss to differentiate`);
  return model.toGraph({ stage: 'compiled' });
}

/**
 * A summary per layer, keyed by its scope, for `DotOptions.scopes`: the model's own
 * `layerSummaries()` (type, activation, output shape, parameter count).
 * @example
 * ```ts
 * toDot(model.toGraph(), { scopes: layerScopes(model), collapseScopes: true });
 * ```
 */
export function layerScopes(model: Sequential): NonNullable<DotOptions['scopes']> {
  return model.layerSummaries();
}
