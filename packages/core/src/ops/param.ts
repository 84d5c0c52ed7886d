/**
 * `param(initial)`: a trainable value. The graph holds its initial tensor; training code passes
 * current values to `evaluate` in place of it.
 * @module
 */
import { type DType } from '../dtype.js';
import { GraphError } from '../errors.js';
import { Node } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { currentScope } from '../scope.js';
import type { ConcreteShape } from '../shape.js';
import { type Tensor, tensor, type TensorLike } from '../tensor.js';

/** The tensor held by a `param` or `constant` node. */
export function sourceValue(node: Node): Tensor {
  if (node.value === undefined) throw new GraphError(`${node.op} '${node.path}' has no value`);
  return node.value;
}

/** Kernel of the value-holding ops (`param`, `constant`): a copy of their tensor's data. */
export function sourceKernel(_inputs: unknown, _attrs: unknown, out: Tensor, node: Node): void {
  out.data.set(sourceValue(node).data);
}

/** Reference of the value-holding ops: their tensor's values, exactly. */
export function sourceReference<T>(_inputs: unknown, _attrs: unknown, M: BigMath<T>, _out: unknown, node: Node): T[] {
  return Array.from(sourceValue(node).data, (v) => M.fromNumber(v));
}

/** A `param` or `constant` node holding `value` (float32 unless `options.dtype` says otherwise). */
export function sourceNode(op: 'param' | 'constant', value: TensorLike, options: { dtype?: DType; name?: string }, defaultName: (t: Tensor) => string): Node {
  const t = tensor(value, options.dtype === undefined ? {} : { dtype: options.dtype });
  return new Node({
    op, inputs: [], attrs: { shape: t.shape, dtype: t.dtype }, shape: t.shape, dtype: t.dtype,
    name: options.name ?? defaultName(t), scope: currentScope(), value: t,
  });
}

export const paramOp = defineOp<{ shape: ConcreteShape; dtype: DType }>({
  name: 'param',
  traits: ['source'],
  arity: 0,
  attrs: { shape: 'shape', dtype: 'dtype' },
  infer: (_inputs, { shape, dtype }) => ({ shape, dtype }),
  kernel: sourceKernel,
  reference: sourceReference,
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
  return sourceNode('param', initial, options, () => 'param');
}
