/**
 * Which forward op each gradient node belongs to, so a forward + gradient picture can say
 * `grad of relu` on it and draw it beside that op. Core's `grad` places the nodes that the VJP
 * of a forward node builds in the scope `grad/<that node's scope>` (`grad/dense_2`), which names
 * the layer but not the op; the op is read from the graph's structure:
 *
 * 1. A VJP reads its op's inputs or output. A gradient node that reads a forward op `r` of its
 *    layer together with a cotangent sent back by a user of `r` is `r`'s own gradient
 *    (`c * exp(z)` belongs to `exp`); otherwise a node reading a forward node `r` belongs to
 *    the first user of `r` in its layer (`transpose(kernel)` belongs to the `matmul` that uses
 *    `kernel`), or to `r` itself when `r` is an op of the layer with no user there.
 * 2. Otherwise, a node that reads a node of rule 1 in the same gradient scope belongs to the
 *    same op (`where(z > 0, ...)` to `relu`).
 * 3. Otherwise it reads only cotangents: a gradient with the shape of an input of the op its
 *    input belongs to is that input's cotangent, so it belongs to that input's op when that is
 *    an op of its layer (`sumTo` of relu's gradient to the `+` before the relu; the `reshape`
 *    of the cotangent a next layer's `sigmoid` sent back to this layer's `reshape`); else to
 *    the op of its first input of the same gradient scope.
 * 4. A node still without an op (it reads only the seed or constants, as the `expandDims` of a
 *    `sum`'s gradient) belongs to the op of its first user in the same gradient scope.
 *
 * Nodes with no inputs (the seed, constants) and nodes outside a `grad` scope belong to no op.
 * It is a reading of the structure, not a record kept by `grad`: after `simplify` merged or
 * rebuilt nodes, a node is named after one of the ops it serves.
 * @module
 */
import { consumers, isFloat, type Node } from '@stablegrad/core';

/** The forward op a gradient node belongs to, and by which rule (1, 2 or 3) it was found. */
interface Origin {
  readonly op: Node;
  readonly rule: 1 | 2 | 3;
}

/**
 * The forward op of each gradient node (nodes not in `forward`) of `nodes`, which are in
 * drawing order (inputs before their users); nodes without one are absent.
 */
export function gradientOrigins(nodes: readonly Node[], forward: ReadonlySet<Node>): Map<Node, Node> {
  const users = consumers(nodes.filter((n) => forward.has(n)));
  const origins = new Map<Node, Origin>();
  for (const node of nodes) {
    if (forward.has(node) || node.scope[0] !== 'grad' || node.inputs.length === 0) continue;
    const layer = node.scope.slice(1);
    const isLayerOp = (n: Node): boolean => forward.has(n) && n.inputs.length > 0 && sameScope(n.scope, layer);
    const origin = byForwardInput(node, forward, users, origins, isLayerOp) ?? byGradientInput(node, origins, isLayerOp);
    if (origin !== undefined) origins.set(node, origin);
  }
  const result = new Map([...origins].map(([node, origin]) => [node, origin.op]));
  // Rule 4, users after their inputs: walk backwards.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const user = nodes[i]!;
    const op = result.get(user);
    if (op === undefined) continue;
    for (const input of user.inputs) {
      if (!forward.has(input) && input.inputs.length > 0 && !result.has(input) && sameScope(input.scope, user.scope)) result.set(input, op);
    }
  }
  return result;
}

// Rule 1.
function byForwardInput(
  node: Node, forward: ReadonlySet<Node>, users: ReadonlyMap<Node, readonly Node[]>, origins: ReadonlyMap<Node, Origin>, isLayerOp: (n: Node) => boolean,
): Origin | undefined {
  const cotangentsFrom = node.inputs.flatMap((input) => {
    const origin = origins.get(input);
    return origin !== undefined && sameScope(input.scope, node.scope) ? [origin.op] : [];
  });
  for (const input of node.inputs) {
    if (!forward.has(input)) continue;
    if (isLayerOp(input) && cotangentsFrom.some((op) => op.inputs.includes(input))) return { op: input, rule: 1 };
    const user = users.get(input)?.find(isLayerOp);
    if (user !== undefined) return { op: user, rule: 1 };
    if (isLayerOp(input)) return { op: input, rule: 1 };
  }
  return undefined;
}

// Rules 2 and 3.
function byGradientInput(node: Node, origins: ReadonlyMap<Node, Origin>, isLayerOp: (n: Node) => boolean): Origin | undefined {
  const known = node.inputs.flatMap((input) => {
    const origin = origins.get(input);
    return origin !== undefined && sameScope(input.scope, node.scope) ? [{ input, origin }] : [];
  });
  const local = known.find((k) => k.origin.rule === 1);
  if (local !== undefined) return { op: local.origin.op, rule: 2 };
  // A cotangent may come from another layer's gradient: the op after this layer sent it.
  for (const input of node.inputs) {
    const origin = origins.get(input);
    if (origin === undefined || !isFloat(input.dtype)) continue;
    const before = origin.op.inputs.find((i) => isLayerOp(i) && sameShape(i.shape, input.shape));
    if (before !== undefined) return { op: before, rule: 3 };
  }
  const first = known[0];
  return first === undefined ? undefined : { op: first.origin.op, rule: 3 };
}

function sameScope(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function sameShape(a: Node['shape'], b: Node['shape']): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
