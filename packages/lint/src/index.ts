/**
 * `@stablegrad/lint`: finds where any graph loses floating-point accuracy. `lint` samples the
 * inputs, measures each node's local error (its own op, on exactly computed inputs) and total
 * error in bits against the high-precision reference, says where in the input space the error
 * happens and whether `stabilize` fixes it; `formatLint`, `lintToJSON` and `lintOverlay` show
 * the result as a table, as JSON and on the graph's picture.
 * @example
 * ```ts
 * import { lint, formatLint, lintOverlay } from '@stablegrad/lint';
 * const report = lint({ loss }, { ranges: { y: [0, 1] } });
 * console.log(formatLint(report));
 * const svg = await renderSvg(toDot(report.graph, { overlay: lintOverlay(report) }));
 * ```
 * @module
 */
export { lint } from './lint.js';
export { type LintOptions, type StabilizeCheck } from './options.js';
export { type ErrorStats, type LintReport, type NodeLint, type StabilizedLint, type StabilizeVerdict, type WorstCase } from './report.js';
export { formatLint, type FormatLintOptions, type LintJSON, lintToJSON, type NodeLintJSON } from './format.js';
export { LintError } from './errors.js';
export { lintOverlay, type LintOverlayOptions } from './overlay.js';
export { type Region } from './region.js';
export { type Range } from './sampling.js';
