/**
 * Layout hints that keep large pictures in one column. Graphviz ranks every node with no inputs
 * (params, constants) at the top unless told otherwise, and a cluster whose param sits at the
 * top while its ops sit far below overlaps the rank range of the next cluster; overlapping
 * clusters must stand side by side, so each dense layer of an MLP was drawn to the right of
 * the previous one (a staircase 15,000 pt wide for 61 layers). Two hints fix that:
 *
 * - A param or constant is ranked beside its first user when both sit in the same scope
 *   (`{ rank=same; kernel; matmul; }` inside the cluster), so a layer's cluster spans only
 *   the ranks of its ops and the next layer's cluster can go underneath.
 * - In a forward + gradient view, edges between two gradient nodes are written reversed
 *   (`dir=back`: drawn the same way, ranked upward): the gradient of layer k then lies at the
 *   height of layer k, in a second column beside the forward one, instead of below the whole
 *   forward graph with one long edge per layer running down beside it.
 * @module
 */
import type { Node } from '@stablegrad/core';
import type { DrawnNode } from './view.js';

/** The drawn nodes with their copies, and which drawn node each edge comes from. */
export interface Placement {
  /** Every node as drawn, a copied constant's copies right after it. */
  readonly nodes: readonly DrawnNode[];
  /** The drawn node (or copy) that `user` reads `input` from; undefined when it is not drawn. */
  readonly inputOf: (user: DrawnNode, input: Node) => DrawnNode | undefined;
  /** The scope a node is drawn in: its own, or for a copied constant its user's. */
  readonly scopeOf: (d: DrawnNode) => readonly string[];
}

/**
 * Places the nodes: a constant read by several nodes is drawn once per user (ids `n5`,
 * `n5_1`, `n5_2`, ... in the order of the users), beside it and in its scope. A constant shared across
 * layers (the `0` of every relu's gradient after common subexpressions are merged) would
 * otherwise send an edge to every layer, and those edges, running down beside the whole
 * picture, made it wider with each layer and took Graphviz minutes to lay out.
 */
export function placeNodes(drawn: readonly DrawnNode[]): Placement {
  const byNode = new Map(drawn.map((d) => [d.node, d]));
  const users = new Map<DrawnNode, DrawnNode[]>();
  for (const user of drawn) {
    for (const input of new Set(user.node.inputs)) {
      const source = byNode.get(input);
      if (source === undefined || source.node.op !== 'constant') continue;
      const list = users.get(source);
      if (list === undefined) users.set(source, [user]);
      else list.push(user);
    }
  }
  const copies = new Map<DrawnNode, Map<DrawnNode, DrawnNode>>();
  const scopes = new Map<DrawnNode, readonly string[]>();
  const nodes: DrawnNode[] = [];
  for (const d of drawn) {
    nodes.push(d);
    const list = users.get(d);
    if (list === undefined || list.length < 2) continue;
    const byUser = new Map<DrawnNode, DrawnNode>([[list[0]!, d]]);
    scopes.set(d, list[0]!.node.scope);
    list.slice(1).forEach((user, k) => {
      const copy = { ...d, id: `${d.id}_${k + 1}` };
      byUser.set(user, copy);
      scopes.set(copy, user.node.scope);
      nodes.push(copy);
    });
    copies.set(d, byUser);
  }
  const inputOf = (user: DrawnNode, input: Node): DrawnNode | undefined => {
    const source = byNode.get(input);
    return source === undefined ? undefined : (copies.get(source)?.get(user) ?? source);
  };
  return { nodes, inputOf, scopeOf: (d) => scopes.get(d) ?? d.node.scope };
}

/**
 * For each drawn param or constant, the user it is ranked
 * beside: its first user in drawing order, when that user is in exactly the same scope.
 * Only the first: every later user comes after it in drawing order (inputs before users), so
 * no path leads from a later user back to it and the ranks stay acyclic.
 */
export function rankPartners(placement: Placement): Map<DrawnNode, DrawnNode> {
  const partners = new Map<DrawnNode, DrawnNode>();
  const seen = new Set<DrawnNode>();
  for (const user of placement.nodes) {
    for (const input of user.node.inputs) {
      const source = placement.inputOf(user, input);
      // Inputs stay where Graphviz puts them, at the top: they are where the picture starts.
      if (source === undefined || source.node.inputs.length > 0 || source.node.op === 'input' || seen.has(source)) continue;
      seen.add(source);
      if (sameScope(placement.scopeOf(source), placement.scopeOf(user))) partners.set(source, user);
    }
  }
  return partners;
}

/**
 * The `{ rank=same; ... }` statements of one cluster: each user with the sources ranked beside
 * it. `members` are the nodes drawn directly in the cluster, in drawing order.
 */
export function sameRankLines(members: readonly DrawnNode[], partners: ReadonlyMap<DrawnNode, DrawnNode>): string[] {
  const groups = new Map<DrawnNode, DrawnNode[]>();
  for (const member of members) {
    const user = partners.get(member);
    if (user === undefined) continue;
    const group = groups.get(user);
    if (group === undefined) groups.set(user, [member]);
    else group.push(member);
  }
  return [...groups].map(([user, sources]) => `{ rank=same; ${[...sources, user].map((d) => d.id).join('; ')}; }`);
}

/** Whether the edge from `from` to `to` is written reversed: both are gradient nodes. */
export function reversedEdge(from: DrawnNode, to: DrawnNode): boolean {
  return from.look.gradient && to.look.gradient;
}

function sameScope(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * In a forward + gradient view, `{ rank=same; op; its gradient nodes... }` for each forward op
 * with gradient nodes that belong to it (origin.ts): the gradient of a layer is drawn at the
 * height of the layer. Needs `newrank=true`, since the op and its gradient nodes sit in
 * different clusters.
 */
export function originRankLines(drawn: readonly DrawnNode[]): string[] {
  const byNode = new Map(drawn.map((d) => [d.node, d]));
  const groups = new Map<DrawnNode, DrawnNode[]>();
  for (const d of drawn) {
    const op = d.origin === undefined ? undefined : byNode.get(d.origin);
    if (op === undefined) continue;
    const group = groups.get(op);
    if (group === undefined) groups.set(op, [d]);
    else group.push(d);
  }
  return [...groups].map(([op, gradients]) => `{ rank=same; ${[op, ...gradients].map((d) => d.id).join('; ')}; }`);
}
