/**
 * The lint on the graph's picture: `toDot(report.graph, { overlay: lintOverlay(report) })`
 * colours every measured node by its mean local error, flags the nodes the lint flagged, and
 * puts where and what stabilize does in their tooltips.
 * @module
 */
import type { Node } from '@stablegrad/core';
import type { DotOverlay } from '@stablegrad/dot';
import { LintError } from './errors.js';
import { checkReport } from './format.js';
import type { LintReport } from './report.js';
import { MAX_BITS } from './measure.js';

/**
 * Options of `lintOverlay`.
 * @example
 * ```ts
 * lintOverlay(report, { measure: 'mean' });
 * ```
 */
export interface LintOverlayOptions {
  /**
   * What colours a node: its worst local error over the samples (`'max'`, the default: a node
   * that ever loses its digits stands out) or its mean (`'mean'`: how much it loses on average).
   */
  readonly measure?: 'max' | 'mean';
}

/**
 * A DOT overlay of a lint report: nodes coloured by local error in bits (0 to the dtype's
 * bits), flagged nodes outlined, with their condition and stabilize's verdict as notes. Draw it
 * on `report.graph` (or on `report.stabilized.graph` with `lintOverlay(report.stabilized.lint)`).
 * @example
 * ```ts
 * const report = lint({ loss }, { ranges: { y: [0, 1] } });
 * const svg = await renderSvg(toDot(report.graph, { overlay: lintOverlay(report) }));
 * ```
 */
export function lintOverlay(report: LintReport, options: LintOverlayOptions = {}): DotOverlay {
  checkReport(report, 'lintOverlay');
  const measure = options.measure ?? 'max';
  if (measure !== 'max' && measure !== 'mean') throw new LintError(`lintOverlay: measure must be 'max' or 'mean', got ${String(measure)}`);
  const values = new Map<Node, number>();
  const notes = new Map<Node, string>();
  for (const n of report.nodes) {
    values.set(n.node, n.local[measure]);
    if (!n.flagged) continue;
    const parts = [measure === 'max' ? `mean ${n.local.mean.toFixed(1)} bits` : `max ${n.local.max.toFixed(1)} bits`];
    if (n.region !== undefined) parts.push(`where ${n.region.condition}`);
    if (n.stabilize !== undefined) parts.push(n.stabilize === 'unchanged' ? 'no stabilize rule' : n.stabilize === 'fixed' ? 'stabilize fixes it' : 'stabilize rewrites it');
    notes.set(n.node, parts.join('; '));
  }
  const widest = report.nodes.some((n) => n.node.dtype === 'float64') ? MAX_BITS.float64 : MAX_BITS.float32;
  return {
    title: `local error (bits, ${measure === 'max' ? 'worst' : 'mean'} over samples)`,
    values,
    max: widest,
    unit: 'bits',
    notes,
    flagged: new Set(report.flagged.map((n) => n.node)),
  };
}
