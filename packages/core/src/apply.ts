/**
 * Builds op nodes: turns number operands into constants, runs the op's shape/dtype rule and
 * names the node in the current scope. Errors from the rule get the node's name prepended.
 * @module
 */
import type { DType } from './dtype.js';
import { DTypeError, ShapeError, StablegradError } from './errors.js';
import { Node, type NodeLike } from './node.js';
import type { Attrs, OpDef, TypeInfo } from './op.js';
import type { OpName } from './op-names.js';
import { currentScope } from './scope.js';
import { checkSize } from './shape.js';
import { isTensor, tensor } from './tensor.js';

/**
 * Options every op builder accepts.
 * @example
 * ```ts
 * sigmoidCrossEntropyWithLogits(logits, y, { name: 'bce' }).name; // 'bce'
 * apply(registry.exp, [x], {}, { name: 'e' }).name;               // 'e'
 * ```
 */
export interface BuildOptions {
  /** Name of the new node (default: the op's name). */
  readonly name?: string;
}

/**
 * Applies `op` to `inputs`. Numbers become scalar constants with the dtype of the first node
 * input (float32 if there is none), so `x.mul(2)` keeps x's dtype.
 * @example
 * ```ts
 * const x = input([2], { name: 'x' });
 * apply(registry.exp, [x], {});     // the same node as exp(x)
 * apply(registry.mul, [x, 2], {});  // 2 becomes a float32 scalar constant
 * ```
 */
export function apply<A extends Attrs>(op: OpDef<A>, inputs: readonly NodeLike[], attrs: A, options: BuildOptions = {}): Node {
  const dtype: DType = inputs.find((i): i is Node => i instanceof Node)?.dtype ?? 'float32';
  const name = options.name ?? op.name;
  const nodes = inputs.map((i, k) => {
    if (i instanceof Node) return i;
    if (typeof i !== 'number') {
      // A tensor passed where a node belongs would otherwise become a meaningless scalar.
      const what = isTensor(i) ? `a tensor of shape [${(i as { shape: readonly number[] }).shape.join(', ')}]` : `a ${i === null ? 'null' : typeof i}`;
      throw new TypeError(`${op.name} '${pathOf(name)}': operand ${k} is ${what}, not a node or a number; wrap a tensor in constant(...)`);
    }
    if (dtype === 'int32' && !(Number.isInteger(i) && i >= -(2 ** 31) && i < 2 ** 31)) {
      // Silently truncating 0.5 to 0 would change the meaning of x.less(0.5).
      throw new DTypeError(`${op.name} '${pathOf(name)}': the number ${i} is not an int32 value, but the other operand is int32; cast it to a float first`);
    }
    return scalarConstant(i, dtype);
  });
  const type = inferFor(op, nodes, attrs, `${op.name} '${pathOf(name)}'`);
  return new Node({ op: op.name as OpName, inputs: nodes, attrs, shape: type.shape, dtype: type.dtype, name, scope: currentScope() });
}

/**
 * Runs an op's shape rule and prefixes any error with `where` (the node's description).
 * @example
 * ```ts
 * inferFor(registry.matmul, [{ shape: ['batch', 3], dtype: 'float32' }, { shape: [3, 4], dtype: 'float32' }], {}, 'matmul');
 * // { shape: ['batch', 4], dtype: 'float32' }
 * ```
 */
export function inferFor<A extends Attrs>(op: OpDef<A>, inputs: readonly TypeInfo[], attrs: A, where: string): TypeInfo {
  if (op.arity === 'variadic' ? inputs.length === 0 : inputs.length !== op.arity) {
    throw new StablegradError(`${where}: expects ${op.arity === 'variadic' ? 'one or more' : op.arity} inputs, got ${inputs.length}`);
  }
  try {
    const type = op.infer(inputs, attrs);
    // The same limits for graphs built in code and graphs read from files (json.ts calls this).
    checkSize(type.shape, 'output');
    return type;
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${where}: ${e.message}`);
    if (e instanceof DTypeError) throw new DTypeError(`${where}: ${e.message}`);
    throw e;
  }
}

function scalarConstant(value: number, dtype: DType): Node {
  return new Node({
    op: 'constant', inputs: [], attrs: { shape: [], dtype }, shape: [], dtype, name: String(value), scope: currentScope(),
    value: tensor(value, { dtype }),
  });
}

function pathOf(name: string): string {
  const s = currentScope();
  return s.length === 0 ? name : `${s.join('/')}/${name}`;
}
