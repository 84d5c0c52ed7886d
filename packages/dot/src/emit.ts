/**
 * Writes a picture as DOT: nodes inside nested clusters (one per scope), then the edges.
 * The layout of the text is fixed (two-space indentation, nodes in drawing order, child
 * clusters in order of first appearance), so equal graphs give equal strings.
 * @module
 */
import { formatShape, GraphError, type Node } from '@stablegrad/core';
import { collapsedBody } from './collapse.js';
import { quoted } from './escape.js';
import { nodeLabel, nodeTooltip } from './label.js';
import type { DotOptions } from './options.js';
import { type Attribute, type Attributes, clusterAttributes, edgeAttributes, formatAttributes, graphDefaults, nodeAttributes } from './style.js';
import { type DrawnNode, drawNodes, type Picture } from './view.js';

const RANKDIRS: readonly string[] = ['TB', 'LR', 'BT', 'RL'];

/** The whole DOT text of a picture. */
export function writeDot(picture: Picture, options: DotOptions): string {
  const rankdir = options.rankdir ?? 'TB';
  // Checked because it is written unquoted, and callers such as a command line pass strings.
  if (!RANKDIRS.includes(rankdir)) throw new TypeError(`rankdir must be one of ${RANKDIRS.join(', ')}, got ${JSON.stringify(rankdir)}`);
  const drawn = drawNodes(picture, options);
  const lines = ['digraph stablegrad {', ...graphDefaults(rankdir).map((l) => `  ${l}`)];
  if (options.title !== undefined) lines.push(`  label=${quoted(options.title)};`, '  labelloc=t;');
  const body = options.collapseScopes === true ? collapsedBody(drawn, options) : expandedBody(drawn, options);
  lines.push(...body.map((l) => `  ${l}`), '}');
  return `${lines.join('\n')}\n`;
}

/** A scope and what it holds. */
interface Cluster {
  readonly name: string;
  readonly nodes: DrawnNode[];
  readonly children: Map<string, Cluster>;
}

function expandedBody(drawn: readonly DrawnNode[], options: DotOptions): string[] {
  const root: Cluster = { name: '', nodes: [], children: new Map() };
  for (const d of drawn) {
    let cluster = root;
    for (const name of d.node.scope) {
      let child = cluster.children.get(name);
      if (child === undefined) {
        child = { name, nodes: [], children: new Map() };
        cluster.children.set(name, child);
      }
      cluster = child;
    }
    cluster.nodes.push(d);
  }
  const lines: string[] = [];
  const counter = { next: 0 };
  writeCluster(root, lines, counter, options.forward !== undefined);
  lines.push(...edgeLines(drawn, options));
  return lines;
}

function writeCluster(cluster: Cluster, lines: string[], counter: { next: number }, gradientView: boolean): void {
  for (const d of cluster.nodes) lines.push(nodeLine(d));
  for (const child of cluster.children.values()) {
    const attributes: Attributes = [['label', quoted(child.name)], ...clusterAttributes(gradientView && allGradient(child))];
    lines.push(`subgraph cluster_${counter.next++} {`);
    const inner = [`graph [${formatAttributes(attributes)}];`];
    writeCluster(child, inner, counter, gradientView);
    lines.push(...inner.map((l) => `  ${l}`), '}');
  }
}

function allGradient(cluster: Cluster): boolean {
  return cluster.nodes.every((d) => d.look.gradient) && [...cluster.children.values()].every(allGradient);
}

function nodeLine(d: DrawnNode): string {
  const attributes: Attribute[] = [...nodeAttributes(d.look), ['label', nodeLabel(d)]];
  const tooltip = nodeTooltip(d);
  if (tooltip !== undefined) attributes.push(['tooltip', tooltip]);
  return `${d.id} [${formatAttributes(attributes)}];`;
}

function edgeLines(drawn: readonly DrawnNode[], options: DotOptions): string[] {
  const ids = new Map<Node, string>(drawn.map((d) => [d.node, d.id]));
  const lines: string[] = [];
  for (const d of drawn) {
    for (const input of d.node.inputs) {
      const attributes: Attribute[] = [...edgeAttributes(d.look)];
      if (options.edgeShapes === true) attributes.push(['label', quoted(formatShape(input.shape))]);
      const list = attributes.length > 0 ? ` [${formatAttributes(attributes)}]` : '';
      const from = ids.get(input);
      if (from === undefined) throw new GraphError(`cannot draw ${d.node}: its input ${input} is not in the graph`);
      lines.push(`${from} -> ${d.id}${list};`);
    }
  }
  return lines;
}
