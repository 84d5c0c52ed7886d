/**
 * `constant(value)`: a fixed tensor embedded in the graph.
 * @module
 */
import { type DType } from '../dtype.js';
import { Node } from '../node.js';
import { defineOp } from '../op.js';
import { currentScope } from '../scope.js';
import type { ConcreteShape } from '../shape.js';
import { tensor, type TensorLike } from '../tensor.js';
import { sourceValue } from './param.js';

export const constantOp = defineOp<{ shape: ConcreteShape; dtype: DType }>({
  name: 'constant',
  arity: 0,
  attrs: { shape: 'shape', dtype: 'dtype' },
  infer: (_inputs, { shape, dtype }) => ({ shape, dtype }),
  kernel: (_inputs, _attrs, _out, node) => sourceValue(node).data,
  reference: (_inputs, _attrs, M, _out, node) => Array.from(sourceValue(node).data, (v) => M.fromNumber(v)),
  vjp: () => [],
  dot: () => 'const',
});

/**
 * A constant tensor (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * const eps = constant(1e-7);
 * const table = constant([[1, 2], [3, 4]], { dtype: 'float64' });
 * ```
 */
export function constant(value: TensorLike, options: { dtype?: DType; name?: string } = {}): Node {
  const t = tensor(value, options.dtype === undefined ? {} : { dtype: options.dtype });
  return new Node({
    op: 'constant', inputs: [], attrs: { shape: t.shape, dtype: t.dtype }, shape: t.shape, dtype: t.dtype,
    name: options.name ?? (t.data.length === 1 ? String(t.data[0]) : 'constant'), scope: currentScope(), value: t,
  });
}
