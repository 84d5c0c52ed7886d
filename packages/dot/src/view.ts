/**
 * What a picture shows before it is written as DOT: the nodes in drawing order, with their ids
 * (`n0`, `n1`, ... from that order, never from memory identity, so output is deterministic) and
 * everything that decides their look.
 * @module
 */
import { type Graph, hasTrait, isGraph, type Node, opDef, topoSort } from '@stablegrad/core';
import type { Firing } from '@stablegrad/rewrite';
import type { DotOptions } from './options.js';
import { gradientOrigins } from './origin.js';
import { heatOf } from './overlay.js';
import { type DiffStatus, kindOf, type Look } from './style.js';

/** The nodes of a picture and where they come from. */
export interface Picture {
  /** Every node drawn, inputs before their users. */
  readonly nodes: readonly Node[];
  /** Output names of each output node. */
  readonly outputs: ReadonlyMap<Node, readonly string[]>;
  /** For before/after pictures: which side each node is on. */
  readonly status?: ReadonlyMap<Node, DiffStatus>;
}

/** One node as drawn. */
export interface DrawnNode {
  readonly node: Node;
  readonly id: string;
  readonly look: Look;
  /** Firings whose replacement this node is (their rule names go in its label). */
  readonly firings: readonly Firing[];
  /** Tooltip lines besides the firings' docs (`fused gradient: sigmoid(z) - y`). */
  readonly notes: readonly string[];
  readonly outputNames: readonly string[];
  /** In a forward + gradient view, the forward op a gradient node belongs to (see origin.ts). */
  readonly origin: Node | undefined;
}

/** Output names per output node of a graph. */
export function outputsOf(g: Graph, into = new Map<Node, string[]>()): Map<Node, string[]> {
  g.outputs.forEach((node, i) => {
    const name = g.outputNames[i] ?? `output_${i}`;
    const names = into.get(node);
    if (names === undefined) into.set(node, [name]);
    else if (!names.includes(name)) names.push(name);
  });
  return into;
}

/**
 * Decides ids and looks for every node of the picture. A node is fused when its op is a fused
 * op and a `stabilize`-phase firing built it, or, in a forward + gradient view, when its op is
 * a fused cross-entropy or cross-entropy gradient; any other node a firing built is rewritten.
 */
export function drawNodes(picture: Picture, options: DotOptions): DrawnNode[] {
  const present = new Set(picture.nodes);
  const forward = forwardSet(options.forward);
  const firings = rewrittenBy(options.report?.firings ?? [], present);
  const origins = forward === undefined ? new Map<Node, Node>() : gradientOrigins(picture.nodes, forward);
  return picture.nodes.map((node, i) => {
    const fired = firings.get(node) ?? [];
    const outputNames = picture.outputs.get(node) ?? [];
    // The fused cross-entropies and their gradients are built by `grad`, not by a rule: in a
    // forward + gradient view they are highlighted with or without a report.
    const crossEntropy = forward !== undefined && (hasTrait(node.op, 'fusedLoss') || hasTrait(node.op, 'fusedLossGrad'));
    const fused = hasTrait(node.op, 'stable') && (crossEntropy || fired.some((f) => f.phase === 'stabilize'));
    const note = crossEntropy ? opDef(node.op).formula : undefined;
    const look: Look = {
      kind: kindOf(node),
      gradient: forward !== undefined && !forward.has(node),
      fused,
      rewritten: !fused && fired.length > 0,
      status: picture.status?.get(node),
      output: outputNames.length > 0,
      heat: options.overlay === undefined ? undefined : heatOf(node, options.overlay),
    };
    return { node, id: `n${i}`, look, firings: fired, notes: note === undefined ? [] : [note], outputNames, origin: origins.get(node) };
  });
}

/**
 * The firings that built each node of `present`. A firing builds its replacement and the new
 * nodes under it; node ids grow in creation order and a replacement is built from the matched
 * node's subtree (all older than the matched node), so the nodes it built are exactly those
 * reachable from the replacement without passing a node older than the matched one. This
 * finds a fused op even when a later rule replaced the node around it (`neg(fused)` whose
 * `neg` another rule removed), and marks nothing when a rule returned one of its captures
 * (`neg(neg(x)) -> x`) or shared a common subexpression.
 */
export function rewrittenBy(firings: readonly Firing[], present: ReadonlySet<Node>): Map<Node, Firing[]> {
  const built = new Map<Node, Firing[]>();
  for (const firing of firings) {
    const boundary = firing.matched.id;
    const seen = new Set<Node>();
    const stack = [firing.replacement];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.id <= boundary || seen.has(node)) continue;
      seen.add(node);
      for (const input of node.inputs) stack.push(input);
      if (!present.has(node)) continue;
      const list = built.get(node);
      if (list === undefined) built.set(node, [firing]);
      else list.push(firing);
    }
  }
  return built;
}

function forwardSet(forward: DotOptions['forward']): ReadonlySet<Node> | undefined {
  if (forward === undefined) return undefined;
  return new Set(isGraph(forward) ? forward.nodes : topoSort(forward));
}
