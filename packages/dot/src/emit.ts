/**
 * Writes a picture as DOT: nodes inside nested clusters (one per scope), then the edges and
 * rank hints (layout.ts), then the legend of looks and the overlay's legend if there are any.
 * The layout of the text is fixed (two-space indentation up to 32 levels, nodes in drawing order, child
 * clusters in order of first appearance), so equal graphs give equal strings.
 * @module
 */
import { formatShape, GraphError } from '@stablegrad/core';
import { collapsedBody } from './collapse.js';
import { quoted } from './escape.js';
import { nodeLabel, nodeTooltip } from './label.js';
import type { DotOptions } from './options.js';
import { checkOverlay, legendLines } from './overlay.js';
import { summaryOf, summaryParts } from './scope-label.js';
import { type Attribute, type Attributes, clusterAttributes, edgeAttributes, formatAttributes, graphDefaults, nodeAttributes } from './style.js';
import { looksLegendLines } from './legend.js';
import { originRankLines, type Placement, placeNodes, rankPartners, reversedEdge, sameRankLines } from './layout.js';
import { type DrawnNode, drawNodes, type Picture } from './view.js';

const RANKDIRS: readonly string[] = ['TB', 'LR', 'BT', 'RL'];
/** Deepest indentation of nested clusters, in levels (the body itself is one more level in). */
const MAX_INDENT = 32;

/** The whole DOT text of a picture. */
export function writeDot(picture: Picture, options: DotOptions): string {
  const rankdir = options.rankdir ?? 'TB';
  // Checked because it is written unquoted, and callers such as a command line pass strings.
  if (!RANKDIRS.includes(rankdir)) throw new TypeError(`rankdir must be one of ${RANKDIRS.join(', ')}, got ${JSON.stringify(rankdir)}`);
  if (options.overlay !== undefined) checkOverlay(options.overlay, picture.nodes);
  const drawn = drawNodes(picture, options);
  const lines = ['digraph stablegrad {', ...graphDefaults(rankdir).map((l) => `  ${l}`)];
  // Rank constraints across clusters (a gradient beside its forward op) need the newer ranking.
  if (options.forward !== undefined && options.collapseScopes !== true) lines.push('  newrank=true;');
  if (options.title !== undefined) lines.push(`  label=${quoted(options.title)};`, '  labelloc=t;');
  const body = options.collapseScopes === true ? collapsedBody(drawn, options) : expandedBody(drawn, options);
  // One push per line, never `push(...lines)`: a spread passes every line as an argument, and a
  // graph of ~70,000 nodes overflows the stack that way.
  for (const line of body) lines.push(`  ${line}`);
  if (options.legend !== false) for (const line of looksLegendLines(drawn.map((d) => d.look))) lines.push(`  ${line}`);
  if (options.overlay !== undefined) for (const line of legendLines(options.overlay)) lines.push(`  ${line}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A scope and what it holds. */
interface Cluster {
  readonly name: string;
  readonly nodes: DrawnNode[];
  readonly children: Map<string, Cluster>;
}

function expandedBody(drawn: readonly DrawnNode[], options: DotOptions): string[] {
  const placement = placeNodes(drawn);
  const root: Cluster = { name: '', nodes: [], children: new Map() };
  for (const d of placement.nodes) {
    let cluster = root;
    for (const name of placement.scopeOf(d)) {
      let child = cluster.children.get(name);
      if (child === undefined) {
        child = { name, nodes: [], children: new Map() };
        cluster.children.set(name, child);
      }
      cluster = child;
    }
    cluster.nodes.push(d);
  }
  const lines = clusterLines(root, options, rankPartners(placement));
  for (const line of edgeLines(placement, options)) lines.push(line);
  if (options.forward !== undefined) for (const line of originRankLines(drawn)) lines.push(line);
  return lines;
}

/**
 * The statements of `root`'s nodes and of its nested clusters, each cluster indented two spaces
 * deeper than its parent. An explicit stack instead of recursion, so scopes nested 10,000 deep
 * cannot overflow the call stack: entering a cluster writes its header and its nodes and
 * schedules its children, in order, each followed by its closing brace.
 */
function clusterLines(root: Cluster, options: DotOptions, partners: ReadonlyMap<DrawnNode, DrawnNode>): string[] {
  const gradientOnly = options.forward !== undefined ? allGradient(root) : undefined;
  const lines: string[] = [];
  const counter = { next: 0 };
  // Work items: a cluster to open at a depth, or a closing brace at a depth.
  const work: ({ cluster: Cluster; depth: number } | { close: number })[] = [{ cluster: root, depth: 0 }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('close' in item) {
      lines.push(`${indent(item.close)}}`);
      continue;
    }
    const { cluster, depth } = item;
    // The root writes its nodes unindented; a cluster's contents sit one level inside its brace.
    const inner = indent(depth);
    if (cluster !== root) {
      const summary = depth === 1 ? summaryOf(options.scopes, cluster.name) : undefined;
      const label = summary === undefined ? cluster.name : [cluster.name, ...summaryParts(summary)].join(' · ');
      const attributes: Attributes = [['label', quoted(label)], ...clusterAttributes(gradientOnly?.get(cluster) === true)];
      lines.push(`${indent(depth - 1)}subgraph cluster_${counter.next++} {`, `${inner}graph [${formatAttributes(attributes)}];`);
    }
    for (const d of cluster.nodes) lines.push(`${inner}${nodeLine(d)}`);
    for (const line of sameRankLines(cluster.nodes, partners)) lines.push(`${inner}${line}`);
    const children = [...cluster.children.values()];
    for (let i = children.length - 1; i >= 0; i--) {
      work.push({ close: depth }, { cluster: children[i]!, depth: depth + 1 });
    }
  }
  return lines;
}

/**
 * Two spaces per level, up to {@link MAX_INDENT} levels: deeper clusters are indented no further,
 * so the text of n nested scopes grows as n, not n^2 (10,000 levels would be 100 MB of spaces).
 */
function indent(depth: number): string {
  return '  '.repeat(Math.min(depth, MAX_INDENT));
}

/** For each cluster under `root`: whether every node in it and in its sub-clusters is a gradient node. */
function allGradient(root: Cluster): Map<Cluster, boolean> {
  // Clusters in pre-order; reversed, every child comes before its parent.
  const order: Cluster[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const cluster = stack.pop()!;
    order.push(cluster);
    for (const child of cluster.children.values()) stack.push(child);
  }
  const result = new Map<Cluster, boolean>();
  for (let i = order.length - 1; i >= 0; i--) {
    const cluster = order[i]!;
    let all = cluster.nodes.every((d) => d.look.gradient);
    for (const child of cluster.children.values()) all &&= result.get(child)!;
    result.set(cluster, all);
  }
  return result;
}

function nodeLine(d: DrawnNode): string {
  const attributes: Attribute[] = [...nodeAttributes(d.look), ['label', nodeLabel(d)]];
  const tooltip = nodeTooltip(d);
  if (tooltip !== undefined) attributes.push(['tooltip', tooltip]);
  return `${d.id} [${formatAttributes(attributes)}];`;
}

function edgeLines(placement: Placement, options: DotOptions): string[] {
  const lines: string[] = [];
  for (const d of placement.nodes) {
    for (const input of d.node.inputs) {
      const from = placement.inputOf(d, input);
      if (from === undefined) throw new GraphError(`cannot draw ${d.node}: its input ${input} is not in the graph`);
      const reversed = reversedEdge(from, d);
      const attributes: Attribute[] = [...edgeAttributes(d.look)];
      if (reversed) attributes.push(['dir', 'back']);
      if (options.edgeShapes === true) attributes.push(['label', quoted(formatShape(input.shape))]);
      const list = attributes.length > 0 ? ` [${formatAttributes(attributes)}]` : '';
      lines.push(reversed ? `${d.id} -> ${from.id}${list};` : `${from.id} -> ${d.id}${list};`);
    }
  }
  return lines;
}
