/**
 * `model.summary()`: the layers, their output shapes and parameter counts, as Keras prints them.
 * @module
 */
import type { Sequential } from './model.js';

/**
 * The summary table of a model.
 * @example
 * ```ts
 * console.log(summarize(model));
 * ```
 */
export function summarize(model: Sequential): string {
  const rows = model.layers.map((layer) => {
    const params = layer.inputUnits * layer.config.units + (layer.config.useBias ? layer.config.units : 0);
    return [`${layer.name} (dense, ${layer.config.activation})`, `[batch, ${layer.config.units}]`, params.toLocaleString('en-US')];
  });
  const header = ['Layer (type, activation)', 'Output shape', 'Params'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('   ');
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 6);
  const total = model.countParams();
  const bytes = total * (model.dtype === 'float32' ? 4 : 8);
  return [
    `Model: "${model.name}" (input [batch, ${model.inputShape[0]}], ${model.dtype}, seed ${model.seed})`,
    rule, line(header), rule, ...rows.map(line), rule,
    `Total params: ${total.toLocaleString('en-US')} (${formatBytes(bytes)})`,
  ].join('\n');
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
