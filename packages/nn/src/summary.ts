/**
 * `model.summary()`: the layers, their output shapes and parameter counts, as Keras prints them;
 * and `layerSummaries`, the same facts as data, keyed by each layer's scope, for the pictures.
 * @module
 */
import { activationOf, type BuiltLayer } from './layers/layer.js';
import type { Sequential } from './model.js';

/**
 * What the pictures and the summary say about one layer: its type, its activation (for layers
 * that have one), its output shape with the batch first, and its number of weight values
 * (trainable and not).
 * @example
 * ```ts
 * const s: LayerSummary = { type: 'dense', activation: 'softmax', outputShape: ['batch', 10], params: 160 };
 * ```
 */
export interface LayerSummary {
  readonly type: string;
  readonly activation?: string;
  readonly outputShape: readonly (number | string | null)[];
  readonly params: number;
}

/**
 * Each layer's summary, keyed by the layer's name (the top-level scope of its nodes).
 * @example
 * ```ts
 * layerSummaries(model.layers).dense_1.params; // 1625
 * ```
 */
export function layerSummaries(layers: readonly BuiltLayer[]): Record<string, LayerSummary> {
  const out: Record<string, LayerSummary> = {};
  for (const layer of layers) {
    const hasActivation = layer.layer.definition.activation !== undefined;
    Object.defineProperty(out, layer.name, {
      enumerable: true,
      value: {
        type: layer.type,
        ...(hasActivation ? { activation: activationOf(layer) } : {}),
        outputShape: ['batch', ...layer.outputShape],
        params: paramCount(layer).total,
      },
    });
  }
  return out;
}

function paramCount(layer: BuiltLayer): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const spec of layer.weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    total += size;
    if (spec.trainable) trainable += size;
  }
  return { total, trainable };
}

/**
 * The summary table of a model. Models with non-trainable weights (batch normalization's moving
 * statistics) add Keras' trainable and non-trainable counts under the total.
 * @example
 * ```ts
 * console.log(summarize(model));
 * ```
 */
export function summarize(model: Sequential): string {
  const rows = model.layers.map((layer) => {
    const kind = layer.layer.definition.activation === undefined ? layer.type : `${layer.type}, ${activationOf(layer)}`;
    return [`${layer.name} (${kind})`, `[batch, ${layer.outputShape.join(', ')}]`, paramCount(layer).total.toLocaleString('en-US')];
  });
  const header = ['Layer (type, activation)', 'Output shape', 'Params'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('   ');
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 6);
  const total = model.countParams();
  const trainable = model.countTrainableParams();
  const bytes = (n: number): string => formatBytes(n * (model.dtype === 'float32' ? 4 : 8));
  return [
    `Model: "${model.name}" (input [batch, ${model.inputShape.join(', ')}], ${model.dtype}, seed ${model.seed})`,
    rule, line(header), rule, ...rows.map(line), rule,
    `Total params: ${total.toLocaleString('en-US')} (${bytes(total)})`,
    ...(trainable === total ? [] : [
      `Trainable params: ${trainable.toLocaleString('en-US')} (${bytes(trainable)})`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')} (${bytes(total - trainable)})`,
    ]),
  ].join('\n');
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
