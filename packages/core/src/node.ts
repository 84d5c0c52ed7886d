/**
 * Graph nodes. A node is immutable: op, inputs, attributes, static shape and dtype, a
 * user-visible name and the scope path it was built in. Ops can be applied as functions
 * (`relu(add(matmul(x, W), b))`) or as chained methods (`x.matmul(W).add(b).relu()`).
 * The chained methods are declared and installed by chained-methods.ts: every op file imports
 * this one (through apply.ts), so this file imports no op, only types.
 * @module
 */
import type { DType } from './dtype.js';
import type { Attrs } from './op.js';
import type { OpName } from './op-names.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * A node, or a number that becomes a constant of the other operand's dtype.
 * @example
 * ```ts
 * x.mul(2);     // 2 becomes a scalar constant of x's dtype
 * x.add(bias);
 * ```
 */
export type NodeLike = Node | number;

/**
 * Options of reductions.
 * @example
 * ```ts
 * x.sum({ axis: -1, keepDims: true }).shape; // ['batch', 1] for x of shape ['batch', 2]
 * x.mean({ axis: 0 }).shape;                 // [2]
 * ```
 */
export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes by default. */
  readonly axis?: number | readonly number[];
  /** Keep reduced axes as size 1. Default false. */
  readonly keepDims?: boolean;
}

let nextId = 0;

/**
 * The fields of a node, as given to its constructor.
 * @example
 * ```ts
 * // Builders make nodes; a NodeFields object is what they pass to the constructor.
 * const fields: NodeFields = { op: 'exp', inputs: [x], attrs: {}, shape: x.shape, dtype: x.dtype, name: 'exp', scope: [] };
 * ```
 */
export interface NodeFields {
  readonly op: OpName;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly name: string;
  readonly scope: readonly string[];
  readonly value?: Tensor | undefined;
}

/**
 * One immutable node of an expression graph. Make nodes with the builder functions
 * (`input`, `param`, `constant` and the ops), not with `new`.
 * @example
 * ```ts
 * const x = input([null, 3], { name: 'x' });
 * const W = param(tensor([[1], [2], [3]]), { name: 'W' });
 * const y = x.matmul(W).sigmoid();
 * y.shape; // [null, 1]
 * ```
 */
export class Node {
  /** Unique, increasing in creation order (so inputs always have smaller ids). */
  readonly id: number;
  /** The op's name, a key of the op registry. */
  readonly op: OpName;
  /** Input nodes, in the op's argument order. */
  readonly inputs: readonly Node[];
  /** The op's attributes (axes, shapes, bounds...), frozen. */
  readonly attrs: Attrs;
  /** Static shape; may hold symbolic dimensions. */
  readonly shape: Shape;
  /** Element type: float32, float64 or int32. */
  readonly dtype: DType;
  /** User-visible name (defaults to the op name). */
  readonly name: string;
  /** Scope path the node was built in, outermost first. */
  readonly scope: readonly string[];
  /** Value of a `constant`, initial value of a `param`; undefined for other ops. */
  readonly value: Tensor | undefined;

  constructor(fields: NodeFields) {
    this.id = nextId++;
    this.op = fields.op;
    this.inputs = Object.freeze([...fields.inputs]);
    this.attrs = Object.freeze({ ...fields.attrs });
    this.shape = Object.freeze([...fields.shape]);
    this.dtype = fields.dtype;
    this.name = fields.name;
    this.scope = Object.freeze([...fields.scope]);
    this.value = fields.value;
    Object.freeze(this);
  }

  /** Scope path and name, e.g. `dense_1/matmul`. */
  get path(): string {
    return this.scope.length === 0 ? this.name : `${this.scope.join('/')}/${this.name}`;
  }

  /** Rank (number of dimensions). */
  get rank(): number {
    return this.shape.length;
  }

  /** Short description for messages: `matmul 'dense_1/matmul' [?, 25] float32`. */
  toString(): string {
    const shape = `[${this.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
    return `${this.op} '${this.path}' ${shape} ${this.dtype}`;
  }
}
