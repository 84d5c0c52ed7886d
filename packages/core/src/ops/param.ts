/**
 * `param(initial)`: a trainable value. The graph holds its initial tensor; training code passes
 * current values to `evaluate` in place of it.
 * @module
 */
import { type DType } from '../dtype.js';
import { GraphError } from '../errors.js';
import { Node } from '../node.js';
import { defineOp } from '../op.js';
import { currentScope } from '../scope.js';
import type { ConcreteShape } from '../shape.js';
import { type Tensor, tensor, type TensorLike } from '../tensor.js';

/** The tensor held by a `param` or `constant` node. */
export function sourceValue(node: Node): Tensor {
  if (node.value === undefined) throw new GraphError(`${node.op} '${node.path}' has no value`);
  return node.value;
}

export const paramOp = defineOp<{ shape: ConcreteShape; dtype: DType }>({
  name: 'param',
  arity: 0,
  attrs: { shape: 'shape', dtype: 'dtype' },
  infer: (_inputs, { shape, dtype }) => ({ shape, dtype }),
  kernel: (_inputs, _attrs, _out, node) => sourceValue(node).data,
  reference: (_inputs, _attrs, M, _out, node) => Array.from(sourceValue(node).data, (v) => M.fromNumber(v)),
  vjp: () => [],
  dot: () => 'param',
});

/**
 * A trainable parameter with an initial value (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * const W = param(tensor([[0.1], [0.2]]), { name: 'W' });
 * const b = param(0, { name: 'b' });
 * ```
 */
export function param(initial: TensorLike, options: { dtype?: DType; name?: string } = {}): Node {
  const t = tensor(initial, options.dtype === undefined ? {} : { dtype: options.dtype });
  return new Node({
    op: 'param', inputs: [], attrs: { shape: t.shape, dtype: t.dtype }, shape: t.shape, dtype: t.dtype,
    name: options.name ?? 'param', scope: currentScope(), value: t,
  });
}
