/**
 * What a scope's cluster or box says about it: `dense_1 · dense, relu · [batch, 25] · 1,625
 * params` from a `ScopeSummary` (the model knows its layers), or, without one, what the graph
 * tells: the ops inside, the shape of the value leaving the scope and the size of its params.
 * @module
 */
import { type Node, formatShape } from '@stablegrad/core';
import { opName } from './label.js';
import type { DotOptions, ScopeSummary } from './options.js';

/** The parts of a scope's description, each a short phrase: `dense, relu`, `[batch, 25]`, `1,625 params`. */
export function summaryParts(summary: ScopeSummary): string[] {
  const parts = [summary.activation === undefined ? summary.type : `${summary.type}, ${summary.activation}`];
  if (summary.outputShape !== undefined) parts.push(`[${summary.outputShape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`);
  if (summary.params !== undefined) parts.push(countText(summary.params, 'param'));
  return parts;
}

/**
 * The description of a scope from its nodes: its ops (each once, in order, the first four then
 * a count), the shape of its one value used outside it (or that is an output), and the number
 * of values in its params when every param shape is known.
 */
export function graphParts(members: readonly Node[], leaving: ReadonlySet<Node>): string[] {
  const ops = [...new Set(members.filter((m) => m.inputs.length > 0).map(opName))];
  const parts = ops.length === 0 ? [] : [abbreviate(ops)];
  const exits = members.filter((m) => leaving.has(m));
  if (exits.length === 1) parts.push(formatShape(exits[0]!.shape));
  const params = members.filter((m) => m.op === 'param');
  const sizes = params.map((p) => p.shape.reduce<number | undefined>((n, d) => (n === undefined || typeof d !== 'number' ? undefined : n * d), 1));
  if (params.length > 0 && sizes.every((n) => n !== undefined)) parts.push(countText(sizes.reduce((a, b) => a + b, 0), 'param'));
  return parts;
}

/**
 * The nodes of `nodes` whose value leaves their top-level scope: read by a node of another
 * top-level scope (or of none), or a graph output.
 */
export function leavingScope(nodes: readonly Node[], outputs: ReadonlySet<Node>): Set<Node> {
  const leaving = new Set<Node>();
  for (const node of nodes) {
    if (outputs.has(node)) leaving.add(node);
    for (const input of node.inputs) if (input.scope[0] !== node.scope[0]) leaving.add(input);
  }
  return leaving;
}

/** `1,625 params`, `1 param`. */
export function countText(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : `${noun}s`}`;
}

/** At most four items, then a count of the rest. */
export function abbreviate(items: readonly string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}

/**
 * The summary of a top-level scope in `scopes`, if it has one (own keys only: a scope named
 * `constructor` has no summary unless given one).
 */
export function summaryOf(scopes: DotOptions['scopes'], name: string): ScopeSummary | undefined {
  return scopes !== undefined && Object.hasOwn(scopes, name) ? scopes[name] : undefined;
}
