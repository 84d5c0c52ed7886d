/**
 * Compact one-line expressions in call syntax, for reports, docs and rule examples:
 * `neg(sigmoidCrossEntropyWithLogits(z, y))`, `sum{axes=[1]}(x)`. Inputs and params print by
 * name, scalar constants by value.
 * @module
 */
import type { AttrValue, Node } from '@stablegrad/core';

/**
 * Prints `node` as one expression in call syntax, `op{attrs}(inputs)`; nodes in `names` print as
 * that name; below `depth` levels the rest prints as `…`. Any depth is safe: the walk keeps its
 * own stack, not the call stack.
 * @example
 * ```ts
 * formatExpression(log(sigmoid(input([3], { name: 'z' })))); // 'log(sigmoid(z))'
 * ```
 */
export function formatExpression(node: Node, names: ReadonlyMap<Node, string> = new Map(), depth = 8): string {
  // Post-order over (node, depth) pairs: a node's text is made once its inputs' texts are on
  // `done`, the inputs' texts popped in order. A shared node prints once per path, as before.
  const done: string[] = [];
  const work: { node: Node; depth: number; expanded: boolean }[] = [{ node, depth, expanded: false }];
  while (work.length > 0) {
    const item = work.pop()!;
    const leaf = leafText(item.node, names, item.depth);
    if (leaf !== undefined) {
      done.push(leaf);
    } else if (!item.expanded) {
      work.push({ ...item, expanded: true });
      const inputs = item.node.inputs;
      for (let i = inputs.length - 1; i >= 0; i--) work.push({ node: inputs[i]!, depth: item.depth - 1, expanded: false });
    } else {
      const args = done.splice(done.length - item.node.inputs.length);
      done.push(`${head(item.node)}(${args.join(', ')})`);
    }
  }
  return done[0]!;
}

/**
 * The former name of {@link formatExpression}, from when it was meant to print s-expressions;
 * it prints call syntax.
 * @deprecated Use {@link formatExpression}.
 * @example
 * ```ts
 * toSExpr(log(sigmoid(z))); // 'log(sigmoid(z))', as formatExpression prints it
 * ```
 */
export const toSExpr: typeof formatExpression = formatExpression;

/** The text of a node printed without its inputs (a name, a number, `…`), or undefined. */
function leafText(node: Node, names: ReadonlyMap<Node, string>, depth: number): string | undefined {
  const named = names.get(node);
  if (named !== undefined) return named;
  if (node.op === 'input' || node.op === 'param') return node.name;
  if (node.op === 'constant') {
    const data = node.value?.data;
    return data !== undefined && data.length === 1 ? formatNumber(data[0]!) : `const${JSON.stringify(node.shape)}`;
  }
  if (depth <= 0) return '…';
  // A node without inputs of another op (none today) prints as `op()`, as before.
  return undefined;
}

/** `op` or `op{attr=value, ...}` (keepDims=false, the default, left out). */
function head(node: Node): string {
  const attrs = Object.entries(node.attrs)
    .filter(([key, value]) => !(key === 'keepDims' && value === false))
    .map(([key, value]) => `${key}=${formatAttr(value)}`);
  return attrs.length > 0 ? `${node.op}{${attrs.join(', ')}}` : node.op;
}

function formatAttr(value: AttrValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}
