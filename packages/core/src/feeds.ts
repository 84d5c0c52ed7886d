/**
 * Checking one fed value against the input (or param) node it feeds: the one checker of the
 * reference interpreter (`evaluate`, through `bindFeeds`) and the compiled backend, so both
 * accept the same feeds and reject the rest with the same messages.
 * @module
 */
import { isFloat } from './dtype.js';
import { FeedError } from './errors.js';
import type { Node } from './node.js';
import { formatShape, mayBeSameShape, sizeOf } from './shape.js';
import { isTensor, type Tensor, tensor, type TensorLike } from './tensor.js';

/**
 * Checks a value fed for `node` and returns it as a tensor: the node must be an input or a param,
 * a tensor must have its dtype (nested arrays are converted to it; int32 ones must hold
 * integers), the shape must have its rank and fixed sizes and as many values as it holds, and each
 * named dimension must have the size `dims` gives it, or binds it there.
 * @example
 * ```ts
 * const x = input(['batch', 3], { name: 'x' });
 * const dims = new Map<string, number>();
 * checkFeed(x, [[1, 2, 3]], dims).shape; // [1, 3]
 * dims.get('batch');                     // 1
 * checkFeed(x, [[1, 2]], dims);          // FeedError: input 'x' expects shape [batch, 3], got [1, 2]
 * ```
 */
export function checkFeed(node: Node, value: TensorLike, dims: Map<string, number>): Tensor {
  if (node.op !== 'input' && node.op !== 'param') throw new FeedError(`${node} is not an input or param and cannot be fed`);
  const t = asTensor(node, value);
  const where = `input '${node.path}' expects shape ${formatShape(node.shape)}, got ${formatShape(t.shape)}`;
  if (!mayBeSameShape(t.shape, node.shape)) throw new FeedError(where);
  if (t.data.length !== sizeOf(t.shape)) throw new FeedError(`${where}: ${t.data.length} values for that shape`);
  t.shape.forEach((d, i) => {
    const declared = node.shape[i];
    if (typeof declared !== 'string') return;
    const bound = dims.get(declared);
    if (bound !== undefined && bound !== d) throw new FeedError(`${where}: dimension '${declared}' is already ${bound} from another input`);
    dims.set(declared, d);
  });
  return t;
}

/**
 * The error for an input left without a value: it names the input, the inputs among
 * `graphNodes` (the nodes the run needs), and the fed names that matched nothing (`unmatched`),
 * which are usually the same input misspelt.
 * @example
 * ```ts
 * throw notFedError(y, [x, y], ['lables']);
 * // FeedError: input 'y' [2] float32 was not fed (the graph's inputs: 'x', 'y'; fed names that match nothing here: 'lables')
 * ```
 */
export function notFedError(node: Node, graphNodes: readonly Node[], unmatched: readonly string[] = []): FeedError {
  const names = graphNodes.filter((n) => n.op === 'input').map((n) => `'${n.path}'`).join(', ');
  const unused = unmatched.length > 0 ? `; fed names that match nothing here: ${unmatched.map((k) => `'${k}'`).join(', ')}` : '';
  return new FeedError(`input '${node.path}' ${formatShape(node.shape)} ${node.dtype} was not fed (the graph's inputs: ${names}${unused})`);
}

// A tensor of the node's dtype as given, or nested arrays converted to that dtype.
function asTensor(node: Node, value: TensorLike): Tensor {
  if (isTensor(value)) {
    if (value.dtype !== node.dtype) throw new FeedError(`input '${node.path}' expects ${node.dtype}, got a ${value.dtype} tensor`);
    return value;
  }
  let t: Tensor;
  try {
    t = tensor(value, { dtype: node.dtype });
  } catch (e) {
    throw new FeedError(`input '${node.path}': ${(e as Error).message}`);
  }
  if (!isFloat(node.dtype) && !ArrayBuffer.isView(value)) {
    const { data: raw } = tensor(value, { dtype: 'float64' });
    if (raw.some((v) => !Number.isInteger(v))) throw new FeedError(`input '${node.path}' is int32 but was fed non-integer values`);
  }
  return t;
}
