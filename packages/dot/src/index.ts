/**
 * `@stablegrad/dot`: graphs as Graphviz pictures. `toDot` draws a graph (forward, or forward +
 * gradient), `toDiffDot` draws a rewrite's before and after as one picture, `renderSvg` turns
 * DOT into SVG with Graphviz compiled to WebAssembly.
 * @example
 * ```ts
 * import { toDiffDot, renderSvg } from '@stablegrad/dot';
 * const { graph: after, report } = stabilize(before);
 * const svg = await renderSvg(toDiffDot(before, after, { report }));
 * ```
 * @module
 */
export { toDot } from './to-dot.js';
export { toDiffDot } from './diff.js';
export { renderSvg, RenderError } from './render.js';
export type { DotOptions, DotOverlay, ScopeSummary } from './options.js';
export type { DiffStatus, NodeKind } from './style.js';
