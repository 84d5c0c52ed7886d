/**
 * `toDot`: one graph as a DOT picture (forward only, or forward + gradient with `forward`).
 * @module
 */
import { type Graph, type GraphOutputs, graph, isGraph } from '@stablegrad/core';
import { writeDot } from './emit.js';
import type { DotOptions } from './options.js';
import { outputsOf } from './view.js';

/**
 * A graph as Graphviz DOT text. Nodes show their op, name, shape and dtype; inputs, params,
 * constants and ops have their own shapes and colours; scopes become (nested) clusters. Ids
 * come from graph order (`n0`, `n1`, ...), so the same graph always gives the same text.
 * @example
 * ```ts
 * const x = input(['batch', 3], { name: 'x' });
 * const W = param(tensor([[1], [2], [3]]), { name: 'W' });
 * const loss = scope('loss', () => mean(sigmoid(x.matmul(W))));
 * const [dW] = grad(loss, [W]);
 * const dot = toDot(graph({ loss, dW }), { forward: [loss], rankdir: 'LR' });
 * const svg = await renderSvg(dot);
 * ```
 */
export function toDot(g: Graph | GraphOutputs, options: DotOptions = {}): string {
  const whole = isGraph(g) ? g : graph(g);
  return writeDot({ nodes: whole.nodes, outputs: outputsOf(whole) }, options);
}
