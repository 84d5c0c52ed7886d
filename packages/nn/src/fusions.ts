/**
 * `model.explain()`: the stabilize pass's work in a model's words — which layer's activation was
 * fused with which loss into which stable op — then the rules that fired on the way.
 * @module
 */
import { type Graph, hasTrait } from '@stablegrad/core';
import { explain, type RewriteReport } from '@stablegrad/rewrite';
import { activationOf, type BuiltLayer, headLayer } from './layers/layer.js';
import type { Loss } from './losses/index.js';

/**
 * The fusion report of a compiled model.
 * @example
 * ```ts
 * describeFusions(report, compiledGraph, { layers, loss, stabilize: true, detail: false });
 * // 'dense_3: softmax + sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits ...'
 * ```
 */
export function describeFusions(
  report: RewriteReport,
  compiled: Graph,
  context: { readonly layers: readonly BuiltLayer[]; readonly loss: Loss; readonly stabilize: boolean; readonly detail: boolean },
): string {
  const { layers, loss, stabilize, detail } = context;
  if (!stabilize) return 'The stabilize pass is off (compile({ stabilize: false })): the loss runs as written.';
  const stabilizing = report.firings.filter((f) => f.phase !== 'simplify');
  const last = headLayer(layers) ?? layers[layers.length - 1]!;
  const lines: string[] = [];
  // What the compiled graph runs: fused loss ops whose logits are a layer's pre-activation.
  const fused = compiled.nodes.filter((n) => hasTrait(n.op, 'fusedLoss'));
  if (loss.config.fromLogits) {
    lines.push(`${last.name}: the loss is computed from logits (fromLogits: true); nothing to fuse`);
  } else if (fused.length > 0) {
    for (const node of fused) {
      // Rewrites upstream (in a normalization, say) rebuild the nodes after them: match by path too.
      const logits = node.inputs[0]!;
      const layer = layers.find((l) => l.trainingPreActivation !== undefined && (l.trainingPreActivation === logits || l.trainingPreActivation.path === logits.path));
      const source = layer === undefined ? `'${logits.path}'` : `${layer.name}: ${activationOf(layer)}`;
      lines.push(`${source} + ${loss.description} fused into ${node.op}`);
    }
  } else if (loss.config.name !== 'meanSquaredError') {
    lines.push(`${last.name}: no fusion: ${activationOf(last)} + ${loss.description} has no stable logit form here; the loss runs as written`);
  } else {
    lines.push('mean squared error needs no stabilization');
  }
  if (stabilizing.length > 0) {
    const counts = new Map<string, number>();
    for (const f of stabilizing) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const rules = [...counts].map(([rule, n]) => (n === 1 ? rule : `${rule} x${n}`)).join(', ');
    lines.push(`rules fired (${stabilizing.length}): ${rules}`);
  }
  if (detail) lines.push('', explain(report));
  return lines.join('\n');
}
