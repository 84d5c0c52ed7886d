/**
 * The heat overlay: a number per node drawn as a colour on a six-step sequential scale
 * (ColorBrewer YlOrRd), the value in the label, and a legend. Generic on purpose: the
 * stability lint passes bits of error, anything else with a scale from 0 works too.
 * @module
 */
import type { Node } from '@stablegrad/core';
import { quoted } from './escape.js';
import type { DotOverlay } from './options.js';
import { formatAttributes, type Heat, HEAT_FILLS, legendBoxAttributes, legendClusterAttributes } from './style.js';

/**
 * Throws a TypeError naming the bad field unless `overlay` is a usable overlay. Values are
 * checked only for the drawn nodes (`nodes`): the rest of the map is ignored.
 */
export function checkOverlay(overlay: DotOverlay, nodes: readonly Node[]): void {
  // Checked at run time because callers such as a command line or plain JavaScript pass anything.
  const o = overlay as unknown as { readonly [key: string]: unknown } | null;
  if (typeof o !== 'object' || o === null) throw new TypeError(`overlay must be an object, got ${describe(o)}`);
  if (typeof o['title'] !== 'string') throw new TypeError(`overlay.title must be a string, got ${describe(o['title'])}`);
  const max = o['max'];
  if (typeof max !== 'number' || !Number.isFinite(max) || max <= 0) {
    throw new TypeError(`overlay.max must be a finite number > 0, got ${describe(max)}`);
  }
  if (o['unit'] !== undefined && typeof o['unit'] !== 'string') throw new TypeError(`overlay.unit must be a string, got ${describe(o['unit'])}`);
  const flag = o['flagAbove'];
  if (flag !== undefined && (typeof flag !== 'number' || Number.isNaN(flag))) {
    throw new TypeError(`overlay.flagAbove must be a number, got ${describe(flag)}`);
  }
  const flagged = o['flagged'];
  if (flagged !== undefined && (typeof flagged !== 'object' || flagged === null || typeof (flagged as { has?: unknown }).has !== 'function')) {
    throw new TypeError(`overlay.flagged must be a Set of nodes, got ${describe(flagged)}`);
  }
  const values = mapLike(o['values'], 'values');
  const notes = o['notes'] === undefined ? undefined : mapLike(o['notes'], 'notes');
  for (const node of nodes) {
    const value = values.get(node);
    if (value !== undefined && typeof value !== 'number') {
      throw new TypeError(`overlay.values must map nodes to numbers, got ${describe(value)} for ${String(node)}`);
    }
    const note = notes?.get(node);
    if (note !== undefined && typeof note !== 'string') {
      throw new TypeError(`overlay.notes must map nodes to strings, got ${describe(note)} for ${String(node)}`);
    }
  }
}

function mapLike(value: unknown, name: string): { get(node: Node): unknown } {
  if (typeof value !== 'object' || value === null || typeof (value as { get?: unknown }).get !== 'function') {
    throw new TypeError(`overlay.${name} must be a Map keyed by node, got ${describe(value)}`);
  }
  return value as { get(node: Node): unknown };
}

function describe(value: unknown): string {
  if (typeof value === 'number' || value === undefined || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}

/** The look of `node` under `overlay`, or undefined when it has no value. */
export function heatOf(node: Node, overlay: DotOverlay): Heat | undefined {
  const value = overlay.values.get(node);
  if (value === undefined) return undefined;
  return {
    value,
    text: withUnit(formatValue(value), overlay.unit),
    step: stepOf(value, overlay.max),
    flagged: (overlay.flagAbove !== undefined && severity(value) >= overlay.flagAbove) || overlay.flagged?.has(node) === true,
    note: overlay.notes?.get(node),
  };
}

/**
 * The step of a value: `[0, max/6)` is step 0, ..., `[5 max/6, ∞)` is step 5. Below 0 is step 0;
 * NaN and ±∞ say something went wrong, so they get the top step.
 */
export function stepOf(value: number, max: number): number {
  const last = HEAT_FILLS.length - 1;
  if (!Number.isFinite(value)) return last;
  return Math.max(0, Math.min(last, Math.floor((value / max) * HEAT_FILLS.length)));
}

/** How bad a value is, for flagging and for picking a scope's worst node: non-finite is worst. */
export function severity(value: number): number {
  return Number.isFinite(value) ? value : Infinity;
}

/** One decimal, with `∞`, `-∞` and `NaN` written as such. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  return value.toFixed(1);
}

function withUnit(text: string, unit: string | undefined): string {
  return unit === undefined || unit === '' ? text : `${text} ${unit}`;
}

/** A step boundary with three significant digits: `8.83`, `44.2`, `53`. */
function formatBound(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** The label of each legend box: `0–8.83 bits`, ..., `≥ 44.2 bits, NaN`. */
export function legendLabels(overlay: DotOverlay): string[] {
  const n = HEAT_FILLS.length;
  return HEAT_FILLS.map((_, k) => {
    const low = formatBound((k * overlay.max) / n);
    if (k === n - 1) return `≥ ${withUnit(low, overlay.unit)}, NaN`;
    return withUnit(`${low}–${formatBound(((k + 1) * overlay.max) / n)}`, overlay.unit);
  });
}

/**
 * The legend as DOT statements: a cluster titled with the overlay's title holding one box per
 * step, kept in one rank and in order by invisible edges. It is its own connected component, so
 * Graphviz lays it out beside the graph. (Not an HTML-like table: the wasm Graphviz of
 * `renderSvg` draws those as the bare node id.)
 */
export function legendLines(overlay: DotOverlay): string[] {
  const ids = HEAT_FILLS.map((_, k) => `legend_${k}`);
  const labels = legendLabels(overlay);
  const lines = ['subgraph cluster_legend {', `  graph [${formatAttributes([['label', quoted(overlay.title)], ...legendClusterAttributes()])}];`];
  labels.forEach((label, k) => {
    lines.push(`  ${ids[k]} [${formatAttributes([...legendBoxAttributes(k), ['label', quoted(label)]])}];`);
  });
  lines.push(`  { rank=same; ${ids.join('; ')}; }`, `  ${ids.join(' -> ')} [style=invis];`, '}');
  return lines;
}
