/**
 * How each kind of node and edge looks. Every drawn element carries DOT `class` names (which
 * Graphviz copies into the SVG, e.g. `class="node param fused"`), so pictures can also be
 * restyled with CSS; the colours and shapes here make them readable without it.
 * @module
 */
import { hasTrait, type Node } from '@stablegrad/core';

/**
 * What a node is: a fed input, a trained parameter, a constant, or an op. Each kind has its own
 * shape and colour, and its name as a DOT class (so the SVG has `class="node param"`).
 * @example
 * ```ts
 * const kind: NodeKind = x.op === 'input' ? 'input' : 'op';
 * ```
 */
export type NodeKind = 'input' | 'param' | 'constant' | 'op';

/**
 * Where a node stands in a before/after picture (`toDiffDot`); also its DOT class.
 * @example
 * ```ts
 * const status: DiffStatus = after.nodes.includes(node) ? 'unchanged' : 'removed';
 * ```
 */
export type DiffStatus = 'removed' | 'added' | 'unchanged';

/** How one node (or collapsed scope) is drawn under an overlay. */
export interface Heat {
  readonly value: number;
  /** The value as written in the label: `12.3 bits`, `∞ bits`, `NaN bits`, or `max ...` for a box. */
  readonly text: string;
  /** Index into the scale (`HEAT_FILLS`, palest first); also the DOT class `heat-<step>`. */
  readonly step: number;
  readonly flagged: boolean;
  readonly note: string | undefined;
}

/** Everything that decides how one element is drawn. */
export interface Look {
  readonly kind: NodeKind | 'scope';
  /** Not part of the forward graph (forward + gradient view). */
  readonly gradient: boolean;
  /**
   * A fused op (`sigmoidCrossEntropyWithLogits`, `logSigmoid`, ...) built by `stabilize`, or a
   * fused cross-entropy or its fused gradient in a forward + gradient view (orange).
   */
  readonly fused: boolean;
  /** Built by a rewrite rule but not fused (light orange); its rule name is shown. */
  readonly rewritten: boolean;
  /** Set in before/after pictures only; `changed` is a collapsed box holding both kinds. */
  readonly status: DiffStatus | 'changed' | undefined;
  /** A graph output (drawn with a double border). */
  readonly output: boolean;
  /** Its value under an overlay (`DotOptions.overlay`), if it has one. */
  readonly heat: Heat | undefined;
}

/** One DOT attribute: name and value as written (values already quoted or `<...>`). */
export type Attribute = readonly [name: string, value: string];

/** DOT attributes, in the order they are written. */
export type Attributes = readonly Attribute[];

/** The kind of a node, from its op. */
export function kindOf(node: Node): NodeKind {
  // Each source op (input, param, constant) is drawn as its own kind.
  return hasTrait(node.op, 'source') ? (node.op as NodeKind) : 'op';
}

const KIND_STYLE: { readonly [K in NodeKind | 'scope']: { shape: string; rounded: boolean; fill: string; line: string } } = {
  input: { shape: 'ellipse', rounded: false, fill: '#dbeafe', line: '#2563eb' },
  param: { shape: 'cylinder', rounded: false, fill: '#fef3c7', line: '#b45309' },
  constant: { shape: 'note', rounded: false, fill: '#f3f4f6', line: '#6b7280' },
  op: { shape: 'box', rounded: true, fill: '#ffffff', line: '#374151' },
  scope: { shape: 'box3d', rounded: false, fill: '#f9fafb', line: '#374151' },
};

const FUSED = { fill: '#fed7aa', line: '#c2410c' };
const REWRITTEN = { fill: '#fff7ed', line: '#fb923c' };
const GRADIENT = { fill: '#ede9fe', line: '#6d28d9' };
const REMOVED = { fill: '#f3f4f6', line: '#9ca3af', font: '#9ca3af' };
const ADDED = { fill: '#bbf7d0', line: '#15803d' };

/** The overlay's scale, palest first: ColorBrewer YlOrRd with 6 classes. */
export const HEAT_FILLS: readonly string[] = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'];
/**
 * Steps from this one on are dark enough for white text: by WCAG contrast, black reads better on
 * every other step (5.4:1 against white's 3.9:1 on `#f03b20`), white on `#bd0026` (6.6:1 against 3.2:1).
 */
const FIRST_DARK_STEP = 5;
const HEAT_LINE = '#374151';
const FLAGGED_LINE = '#dc2626';

/** The class names of an element, e.g. `param gradient added`. */
export function classesOf(look: Look): string {
  const names: string[] = [look.kind];
  if (look.output) names.push('output');
  if (look.fused) names.push('fused');
  if (look.rewritten) names.push('rewritten');
  if (look.gradient) names.push('gradient');
  if (look.status !== undefined) names.push(look.status);
  if (look.heat !== undefined) names.push(`heat-${look.heat.step}`);
  if (look.heat?.flagged === true) names.push('flagged');
  return names.join(' ');
}

/**
 * Shape, style and colours of a node or collapsed scope box. Colour precedence: an overlay
 * value (its step's colour, a thick red border when flagged) over a diff status (added green,
 * removed grey) over fused (orange) over rewritten (light orange) over gradient (violet) over
 * the kind's own. The shape, the dashes and the classes stay whatever the colour.
 */
export function nodeAttributes(look: Look): Attributes {
  const base = KIND_STYLE[look.kind];
  let colours = { fill: base.fill, line: base.line };
  if (look.gradient) colours = GRADIENT;
  if (look.rewritten) colours = REWRITTEN;
  if (look.fused) colours = FUSED;
  if (look.status === 'added') colours = ADDED;
  if (look.status === 'removed') colours = REMOVED;
  if (look.status === 'changed') colours = { fill: base.fill, line: ADDED.line };
  const { heat } = look;
  if (heat !== undefined) colours = { fill: HEAT_FILLS[heat.step]!, line: heat.flagged ? FLAGGED_LINE : HEAT_LINE };
  const style = ['filled'];
  if (base.rounded) style.push('rounded');
  if (look.gradient || look.status === 'removed') style.push('dashed');
  const attributes: Attribute[] = [
    ['class', `"${classesOf(look)}"`],
    ['shape', base.shape],
    ['style', `"${style.join(',')}"`],
    ['fillcolor', `"${colours.fill}"`],
    ['color', `"${colours.line}"`],
  ];
  if (heat !== undefined && heat.step >= FIRST_DARK_STEP) attributes.push(['fontcolor', '"#ffffff"']);
  else if (look.status === 'removed') attributes.push(['fontcolor', `"${REMOVED.font}"`]);
  if (heat?.flagged === true) attributes.push(['penwidth', '3']);
  else if (look.fused || look.status === 'added' || look.status === 'changed') attributes.push(['penwidth', '2']);
  if (look.output) attributes.push(['peripheries', '2']);
  return attributes;
}

/** Style of an edge, from the look of the node it points to (edges belong to their user). */
export function edgeAttributes(look: Pick<Look, 'gradient' | 'status'>): Attributes {
  const names: string[] = [];
  if (look.gradient) names.push('gradient');
  if (look.status !== undefined) names.push(look.status);
  if (names.length === 0) return [];
  const attributes: Attribute[] = [['class', `"${names.join(' ')}"`]];
  if (look.status === 'removed') attributes.push(['color', `"${REMOVED.line}"`], ['style', 'dashed']);
  else if (look.status === 'added') attributes.push(['color', `"${ADDED.line}"`], ['penwidth', '1.5']);
  else if (look.gradient) attributes.push(['color', `"${GRADIENT.line}"`], ['style', 'dashed']);
  return attributes;
}

/** Style of a scope cluster; clusters holding only gradient nodes are drawn in the gradient colour. */
export function clusterAttributes(gradient: boolean): Attributes {
  return gradient
    ? [['class', '"scope gradient"'], ['style', '"rounded,dashed"'], ['color', `"${GRADIENT.line}"`], ['fontcolor', `"${GRADIENT.line}"`]]
    : [['class', '"scope"'], ['style', '"rounded"'], ['color', '"#9ca3af"'], ['fontcolor', '"#4b5563"']];
}

/** Style of the overlay's legend cluster. */
export function legendClusterAttributes(): Attributes {
  return [['class', '"legend"'], ['style', '"rounded"'], ['color', '"#9ca3af"'], ['fontcolor', '"#111827"']];
}

/** Style of the legend box of one step of the overlay's scale (classes `legend heat-<step>`). */
export function legendBoxAttributes(step: number): Attributes {
  const attributes: Attribute[] = [
    ['class', `"legend heat-${step}"`],
    ['shape', 'box'],
    ['style', '"filled"'],
    ['fillcolor', `"${HEAT_FILLS[step]!}"`],
    ['color', `"${HEAT_LINE}"`],
    ['fontsize', '10'],
  ];
  if (step >= FIRST_DARK_STEP) attributes.push(['fontcolor', '"#ffffff"']);
  return attributes;
}

/** The statements that open every picture. */
export function graphDefaults(rankdir: string): string[] {
  return [
    `graph [rankdir=${rankdir}, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4];`,
    'node [fontname="Helvetica", fontsize=11, margin="0.12,0.04"];',
    'edge [fontname="Helvetica", fontsize=9, color="#6b7280", arrowsize=0.7];',
  ];
}

/** `name=value, ...` for a DOT attribute list. */
export function formatAttributes(attributes: Attributes): string {
  return attributes.map(([name, value]) => `${name}=${value}`).join(', ');
}
