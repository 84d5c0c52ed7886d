/**
 * The collapsed view: every top-level scope becomes one box (`dense_1`, `loss`, `grad`), nodes
 * outside any scope stay as they are, and the edges between boxes are drawn once each. A
 * 3-layer MLP with its gradient becomes a handful of boxes.
 * @module
 */
import { formatShape, type Node } from '@stablegrad/core';
import { quoted } from './escape.js';
import { nodeLabel, nodeTooltip, opText, ruleNames } from './label.js';
import type { DotOptions } from './options.js';
import { severity } from './overlay.js';
import { abbreviate, countText, graphParts, leavingScope, summaryOf, summaryParts } from './scope-label.js';
import type { Heat } from './style.js';
import { type Attribute, type DiffStatus, edgeAttributes, formatAttributes, type Look, nodeAttributes } from './style.js';
import type { DrawnNode } from './view.js';

/** A top-level scope drawn as one box, or a node outside every scope. */
interface Group {
  readonly id: string;
  /** The scope's name; undefined for a single unscoped node. */
  readonly scope: string | undefined;
  readonly members: DrawnNode[];
}

/** An edge between two groups, standing for one or more edges of the graph. */
interface GroupEdge {
  readonly from: string;
  readonly to: string;
  readonly users: DrawnNode[];
  readonly shapes: string[];
}

/** Node statements and edge statements of the collapsed view. */
export function collapsedBody(drawn: readonly DrawnNode[], options: DotOptions): string[] {
  const groups: Group[] = [];
  const byScope = new Map<string, Group>();
  const groupOf = new Map<DrawnNode['node'], Group>();
  for (const d of drawn) {
    const scope = d.node.scope[0];
    let group = scope === undefined ? undefined : byScope.get(scope);
    if (group === undefined) {
      group = { id: scope === undefined ? d.id : `s${byScope.size}`, scope, members: [] };
      if (scope !== undefined) byScope.set(scope, group);
      groups.push(group);
    }
    group.members.push(d);
    groupOf.set(d.node, group);
  }

  const outputs = new Set(drawn.filter((d) => d.outputNames.length > 0).map((d) => d.node));
  // In a forward + gradient view, what leaves a layer is what the forward graph reads of it.
  const leaving = leavingScope(drawn.filter((d) => !d.look.gradient).map((d) => d.node), outputs);
  const lines = groups.map((g) => (g.scope === undefined ? singleLine(g.members[0]!) : boxLine(g, g.scope, describeBox(g, g.scope, options, leaving))));

  const edges = new Map<string, GroupEdge>();
  for (const d of drawn) {
    const to = groupOf.get(d.node)!.id;
    for (const input of d.node.inputs) {
      const from = groupOf.get(input)?.id;
      if (from === undefined || from === to) continue;
      const key = `${from} -> ${to}`;
      let edge = edges.get(key);
      if (edge === undefined) {
        edge = { from, to, users: [], shapes: [] };
        edges.set(key, edge);
      }
      edge.users.push(d);
      const shape = formatShape(input.shape);
      if (!edge.shapes.includes(shape)) edge.shapes.push(shape);
    }
  }
  for (const edge of edges.values()) {
    const statuses = new Set(edge.users.map((u) => u.look.status));
    const status = statuses.size === 1 ? edge.users[0]!.look.status : 'unchanged';
    const attributes: Attribute[] = [...edgeAttributes({ gradient: edge.users.every((u) => u.look.gradient), status })];
    if (options.edgeShapes === true) attributes.push(['label', quoted(edge.shapes)]);
    const list = attributes.length > 0 ? ` [${formatAttributes(attributes)}]` : '';
    lines.push(`${edge.from} -> ${edge.to}${list};`);
  }
  return lines;
}

function singleLine(d: DrawnNode): string {
  const attributes: Attribute[] = [...nodeAttributes(d.look), ['label', nodeLabel(d)]];
  const tooltip = nodeTooltip(d);
  if (tooltip !== undefined) attributes.push(['tooltip', tooltip]);
  return `${d.id} [${formatAttributes(attributes)}];`;
}

/** The description lines of a box: what it is (`dense, relu`), then its shape and params. */
function describeBox(group: Group, scope: string, options: DotOptions, leaving: ReadonlySet<Node>): string[] {
  const summary = summaryOf(options.scopes, scope);
  const parts = summary === undefined ? graphParts(group.members.map((m) => m.node), leaving) : summaryParts(summary);
  if (parts.length === 0) return [countText(group.members.length, 'node')];
  return parts.length === 1 ? parts : [parts[0]!, parts.slice(1).join(' · ')];
}

function boxLine(group: Group, scope: string, description: readonly string[]): string {
  const { members } = group;
  const statuses = new Set(members.map((m) => m.look.status));
  const changed = statuses.size > 1;
  const status = changed ? 'changed' : members[0]!.look.status;
  const fused = members.some((m) => m.look.fused);
  const worst = worstHeat(members);
  const look: Look = {
    kind: 'scope',
    gradient: members.every((m) => m.look.gradient),
    fused,
    rewritten: !fused && members.some((m) => m.look.rewritten),
    status,
    output: members.some((m) => m.look.output),
    heat: worst === undefined ? undefined : { ...worst.heat, text: `max ${worst.heat.text}` },
  };
  const params = members.filter((m) => m.node.op === 'param').map((m) => m.node.name);
  const rules = [...new Set(members.flatMap(ruleNames))];
  // A diff box holds the removed and the added output node, both named e.g. `loss`.
  const outputs = [...new Set(members.flatMap((m) => m.outputNames))];
  const lines = [scope, ...description];
  if (rules.length > 0) lines.push(`${rules.length === 1 ? 'rule' : 'rules'}: ${abbreviate(rules)}`);
  if (changed) lines.push(summary(members));
  if (look.heat !== undefined) lines.push(look.heat.text);
  if (outputs.length > 0) lines.push(`output: ${outputs.join(', ')}`);
  const ops = [...new Set(members.map((m) => opText(m.node)))];
  const tooltip = [countText(members.length, 'node'), `ops: ${ops.join(', ')}`];
  if (params.length > 0) tooltip.push(`params: ${abbreviate(params)}`);
  if (worst !== undefined) {
    const { node } = worst.member;
    const at = `${look.heat!.text} at ${opText(node)}${node.name === node.op ? '' : ` ${node.name}`}`;
    tooltip.push(worst.heat.note === undefined ? at : `${at}: ${worst.heat.note}`);
  }
  const attributes: Attribute[] = [...nodeAttributes(look), ['label', quoted(lines)], ['tooltip', quoted(tooltip)]];
  return `${group.id} [${formatAttributes(attributes)}];`;
}

/** The member with the largest overlay value (non-finite counts as largest; the first on ties). */
function worstHeat(members: readonly DrawnNode[]): { member: DrawnNode; heat: Heat } | undefined {
  let worst: { member: DrawnNode; heat: Heat } | undefined;
  for (const member of members) {
    const { heat } = member.look;
    if (heat !== undefined && (worst === undefined || severity(heat.value) > severity(worst.heat.value))) worst = { member, heat };
  }
  return worst;
}

/** `2 removed, 3 added` for a box whose nodes changed in a rewrite. */
function summary(members: readonly DrawnNode[]): string {
  const count = (s: DiffStatus) => members.filter((m) => m.look.status === s).length;
  return (['removed', 'added'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`).join(', ');
}
