/**
 * `input(shape, { dtype, name })`: a value fed at run time. Dimensions may be symbolic.
 * @module
 */
import { isDType, type DType } from '../dtype.js';
import { DTypeError, FeedError } from '../errors.js';
import { Node } from '../node.js';
import { defineOp } from '../op.js';
import { currentScope } from '../scope.js';
import { checkShape, type Dim } from '../shape.js';

export const inputOp = defineOp<{ shape: readonly Dim[]; dtype: DType }>({
  name: 'input',
  traits: ['source'],
  arity: 0,
  attrs: { shape: 'shape', dtype: 'dtype' },
  infer: (_inputs, { shape, dtype }) => {
    if (!isDType(dtype)) throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}`);
    return { shape: checkShape(shape, 'input'), dtype };
  },
  kernel: (_inputs, _attrs, _out, node) => {
    throw new FeedError(`input '${node.path}' was not fed`);
  },
  reference: (_inputs, _attrs, _M, _out, node) => {
    throw new FeedError(`input '${node.path}' was not fed`);
  },
  vjp: () => [],
  dot: () => 'input',
});

/**
 * Declares an input fed when the graph runs. `null` or a name such as `'batch'` marks a
 * dimension known only at run time; equal names must get equal sizes.
 * @example
 * ```ts
 * const x = input(['batch', 30], { name: 'x' });
 * const labels = input(['batch'], { dtype: 'int32', name: 'labels' });
 * ```
 */
export function input(shape: readonly Dim[], options: { dtype?: DType; name?: string } = {}): Node {
  const dtype = options.dtype ?? 'float32';
  const type = inputOp.infer([], { shape, dtype });
  return new Node({
    op: 'input', inputs: [], attrs: { shape: type.shape, dtype }, shape: type.shape, dtype,
    name: options.name ?? 'input', scope: currentScope(),
  });
}
