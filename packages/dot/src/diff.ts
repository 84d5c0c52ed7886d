/**
 * `toDiffDot`: a graph before and after a rewrite as one picture. Rewriting keeps the nodes it
 * did not touch as the same objects, so a node is unchanged when both graphs hold it, removed
 * when only `before` does and added when only `after` does.
 * @module
 */
import { type Graph, type GraphOutputs, graph, isGraph, type Node } from '@stablegrad/core';
import { writeDot } from './emit.js';
import type { DotOptions } from './options.js';
import type { DiffStatus } from './style.js';
import { outputsOf } from './view.js';

/**
 * Graphs before and after a rewrite as one DOT picture: removed nodes greyed and dashed (grey
 * text, dashed border and edges), added nodes green, unchanged nodes as usual. Pass the
 * rewrite's `report` to name the rule that produced each rewritten node. Ids follow `before`'s
 * order, then the added nodes in `after`'s order. An `overlay` in the options is ignored (not
 * even checked): the diff colours already say what changed; draw values with `toDot`.
 * @example
 * ```ts
 * const before = graph({ loss });
 * const { graph: after, report } = stabilize(before);
 * const dot = toDiffDot(before, after, { report, title: 'stabilize' });
 * ```
 */
export function toDiffDot(before: Graph | GraphOutputs, after: Graph | GraphOutputs, options: DotOptions = {}): string {
  const { overlay: _ignored, ...rest } = options;
  const old = isGraph(before) ? before : graph(before);
  const now = isGraph(after) ? after : graph(after);
  const kept = new Set(now.nodes);
  const status = new Map<Node, DiffStatus>();
  for (const node of old.nodes) status.set(node, kept.has(node) ? 'unchanged' : 'removed');
  const nodes = [...old.nodes];
  for (const node of now.nodes) {
    if (status.has(node)) continue;
    status.set(node, 'added');
    nodes.push(node);
  }
  return writeDot({ nodes, outputs: outputsOf(old, outputsOf(now)), status }, rest);
}
