/**
 * `constant(value)`: a fixed tensor embedded in the graph.
 * @module
 */
import { type DType } from '../dtype.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import type { ConcreteShape } from '../shape.js';
import type { TensorLike } from '../tensor.js';
import { sourceKernel, sourceNode, sourceReference } from './param.js';

export const constantOp = defineOp<{ shape: ConcreteShape; dtype: DType }>({
  name: 'constant',
  traits: ['source'],
  arity: 0,
  attrs: { shape: 'shape', dtype: 'dtype' },
  infer: (_inputs, { shape, dtype }) => ({ shape, dtype }),
  kernel: sourceKernel,
  reference: sourceReference,
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
  return sourceNode('constant', value, options, (t) => (t.data.length === 1 ? String(t.data[0]) : 'constant'));
}
