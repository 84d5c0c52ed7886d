/**
 * The op-by-op mapping tables of docs/onnx.md, generated from `EXPORTS` and `IMPORTERS` so the
 * documentation cannot drift from the code.
 * @module
 */
import { OP_NAMES } from '@stablegrad/core';
import { EXPORTS } from './export-table.js';
import { IMPORTERS } from './import.js';

/** Escapes text for a markdown table cell. */
function cell(text: string): string {
  return text.replace(/[\\|*_]/g, (ch) => `\\${ch}`).replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The export table (one row per stablegrad op: the ONNX operators it becomes, what is kept or
 * lost) and the import table (one row per ONNX operator read), as markdown.
 * @example
 * ```ts
 * console.log(onnxMappingTable()); // | op | ONNX operators | notes | ...
 * ```
 */
export function onnxMappingTable(): string {
  const exportRows = OP_NAMES.map((op) => {
    const m = EXPORTS[op];
    if (m.onnx === null) return `| \`${op}\` | none: an \`OnnxExportError\` | ${cell(m.reason)} |`;
    // Lower-case names are shared decompositions of this package (log1p, expm1, sigmoid).
    const ops = m.onnx.map((o) => (/^[a-z]/.test(o) ? `*${o}*` : o)).join(', ');
    return `| \`${op}\` | ${ops} | ${cell(m.note ?? '')} |`;
  });
  const importRows = Object.entries(IMPORTERS).sort(([a], [b]) => a.localeCompare(b)).map(([type, { to }]) => `| ${type} | ${cell(to)} |`);
  return [
    '### Export: stablegrad op → ONNX operators (opset 18)',
    '',
    'Names in italics are not ONNX operators: graph inputs, initializers, and this package\'s own accurate decompositions *log1p* (Kahan: `log(u) x / (u - 1)`, `u = 1 + x`), *expm1* (Kahan), *sigmoid* (`1 / (1 + e^-x)` or `e^x / (1 + e^x)` by sign).',
    '',
    '| op | ONNX operators | kept / lost |',
    '| --- | --- | --- |',
    ...exportRows,
    '',
    '### Import: ONNX operator → stablegrad ops',
    '',
    'Also read: `Constant` (a tensor value), initializers (float ones as `param`s, integer ones as constants for shapes and axes). Any other operator is listed in one `UnsupportedOnnxOpsError`.',
    '',
    '| ONNX operator | stablegrad ops |',
    '| --- | --- |',
    ...importRows,
  ].join('\n');
}
