/**
 * Compact one-line expressions for reports, docs and rule examples:
 * `neg(sigmoidCrossEntropyWithLogits(z, y))`, `sum{axes=[1]}(x)`. Inputs and params print by
 * name, scalar constants by value.
 * @module
 */
import type { AttrValue, Node } from '@stablegrad/core';

/**
 * Prints `node` as an s-expression; nodes in `names` print as that name; below `depth` levels
 * the rest prints as `…`.
 * @example
 * ```ts
 * toSExpr(log(sigmoid(input([3], { name: 'z' })))); // 'log(sigmoid(z))'
 * ```
 */
export function toSExpr(node: Node, names: ReadonlyMap<Node, string> = new Map(), depth = 8): string {
  const named = names.get(node);
  if (named !== undefined) return named;
  if (node.op === 'input' || node.op === 'param') return node.name;
  if (node.op === 'constant') {
    const data = node.value?.data;
    return data !== undefined && data.length === 1 ? formatNumber(data[0]!) : `const${JSON.stringify(node.shape)}`;
  }
  if (depth <= 0) return '…';
  const attrs = Object.entries(node.attrs)
    .filter(([key, value]) => !(key === 'keepDims' && value === false))
    .map(([key, value]) => `${key}=${formatAttr(value)}`);
  const head = attrs.length > 0 ? `${node.op}{${attrs.join(', ')}}` : node.op;
  return `${head}(${node.inputs.map((i) => toSExpr(i, names, depth - 1)).join(', ')})`;
}

function formatAttr(value: AttrValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}
