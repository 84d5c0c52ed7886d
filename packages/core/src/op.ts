/**
 * The shape of an op definition. An op is defined once, in one file under `ops/`, with its
 * shape/dtype rule, float kernel, high-precision reference, VJP and DOT label side by side.
 * Every field is required, so the compiler refuses an op that is missing one.
 * @module
 */
import type { DType } from './dtype.js';
import { elementwiseKernel } from './kernels/elementwise.js';
import type { Node } from './node.js';
import type { ConcreteShape, Dim, Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * A value an attribute can hold. Attributes are plain JSON-friendly data.
 * @example
 * ```ts
 * input([2, 3]).transpose().attrs.perm; // [1, 0]
 * ```
 */
export type AttrValue = number | boolean | string | readonly number[] | readonly Dim[];

/**
 * An op's attributes.
 * @example
 * ```ts
 * input([2, 3]).sum({ axis: 1 }).attrs; // { axes: [1], keepDims: false }
 * ```
 */
export type Attrs = { readonly [name: string]: AttrValue };

/**
 * The kind of an attribute, used to validate attributes read from JSON:
 * `int`, `ints` (array of integers), `number` (any number, including +-Infinity),
 * `bool`, `dtype`, `shape` (array of sizes, names, `null` or -1), `string` (a short word such as
 * conv2d's padding; the op's shape rule checks which words it accepts).
 * @example
 * ```ts
 * registry.sum.attrs;  // { axes: 'ints', keepDims: 'bool' }
 * registry.clip.attrs; // { lo: 'number', hi: 'number' }
 * ```
 */
export type AttrKind = 'int' | 'ints' | 'number' | 'bool' | 'dtype' | 'shape' | 'string';

/**
 * Static type of a node: its (possibly symbolic) shape and its dtype.
 * @example
 * ```ts
 * registry.exp.infer([{ shape: ['batch', 3], dtype: 'float32' }], {}); // { shape: ['batch', 3], dtype: 'float32' }
 * ```
 */
export interface TypeInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * Concrete type of a value at run time.
 * @example
 * ```ts
 * const out: ConcreteType = { shape: [32, 3], dtype: 'float32' }; // what a kernel writes at run time
 * ```
 */
export interface ConcreteType {
  readonly shape: ConcreteShape;
  readonly dtype: DType;
}

/**
 * Sizes bound to named dimensions at run time, e.g. `batch -> 32`.
 * @example
 * ```ts
 * const dims: DimBindings = new Map([['batch', 32]]);
 * ```
 */
export type DimBindings = ReadonlyMap<string, number>;

/**
 * A tensor of high-precision values, as seen by an op's `reference`.
 * @example
 * ```ts
 * const r: RefTensor<Decimal> = toRefTensor(tensor([0.1], { dtype: 'float64' })); // from @stablegrad/testing
 * ```
 */
export interface RefTensor<T> {
  readonly dtype: DType;
  readonly shape: ConcreteShape;
  readonly data: readonly T[];
}

/**
 * The arithmetic a `reference` is written against. The testing package implements it with
 * decimal.js at 50+ significant digits; core itself has no runtime dependency. Values may be
 * +-Infinity or NaN, with IEEE-like semantics.
 * @example
 * ```ts
 * // An op's reference, against any BigMath (the testing kit passes decimal.js at 60 digits):
 * const softplusRef = <T>(x: T, M: BigMath<T>): T => M.log(M.add(M.fromNumber(1), M.exp(x)));
 * ```
 */
export interface BigMath<T> {
  /** The exact value of a float64. */
  fromNumber(x: number): T;
  /** Rounds to the nearest float64. */
  toNumber(x: T): number;
  /** `a + b`. */
  add(a: T, b: T): T;
  /** `a - b`. */
  sub(a: T, b: T): T;
  /** `a * b`. */
  mul(a: T, b: T): T;
  /** `a / b`. */
  div(a: T, b: T): T;
  /** `-a`. */
  neg(a: T): T;
  /** `|a|`. */
  abs(a: T): T;
  /** `e^a`. */
  exp(a: T): T;
  /** Natural log; NaN below zero, -Infinity at zero. */
  log(a: T): T;
  /** Square root; NaN below zero. */
  sqrt(a: T): T;
  /** `a` to the power `b`. */
  pow(a: T, b: T): T;
  /** Rounds toward zero. */
  trunc(a: T): T;
  /** Compares two non-NaN values: negative, zero or positive. */
  cmp(a: T, b: T): number;
  /** Whether `a` is NaN. */
  isNaN(a: T): boolean;
}

/**
 * What an op's VJP rule receives.
 * @example
 * ```ts
 * // The VJP of exp: d exp(x) = exp(x) dx, reusing the forward node.
 * const vjp = ({ output, cotangent }: VjpContext<{}>) => [cotangent.mul(output)];
 * ```
 */
export interface VjpContext<A extends Attrs> {
  /** The op's input nodes. */
  readonly inputs: readonly Node[];
  /** The node being differentiated. */
  readonly output: Node;
  readonly attrs: A;
  /** Gradient of the final output with respect to `output`; same shape and dtype. */
  readonly cotangent: Node;
}

/**
 * Everything about one op. Use `defineOp` to make one.
 * Methods (not function-typed properties) so that an op with specific attributes is assignable
 * to the general `OpDef`.
 * @example
 * ```ts
 * const def: OpDef = opDef('exp');
 * def.arity;        // 1
 * def.dot({});      // 'exp'
 * ```
 */
export interface OpDef<A extends Attrs = Attrs> {
  /** The op's name, camelCase, equal to its key in the registry. */
  readonly name: string;
  /** Number of inputs, or `'variadic'` for one or more (concat). */
  readonly arity: number | 'variadic';
  /** Attribute names and kinds, for validation of loaded graphs. Optional ones end in `?`. */
  readonly attrs: { readonly [name: string]: AttrKind | `${AttrKind}?` };
  /**
   * Shape and dtype rule. Called with static shapes when a node is built, and again with
   * concrete shapes at run time (then `dims` holds the sizes of named dimensions). Throws
   * ShapeError or DTypeError; the caller adds the node's name to the message.
   */
  infer(inputs: readonly TypeInfo[], attrs: A, dims?: DimBindings): TypeInfo;
  /**
   * Float kernel: computes the output from concrete inputs into `out.data`, a buffer of
   * `out.dtype` with `out.shape`'s size that the caller owns (its old contents are garbage; it
   * never shares memory with an input). The interpreter allocates it; the compiled backend
   * passes a pooled buffer: one kernel, two callers, the same bits.
   */
  kernel(inputs: readonly Tensor[], attrs: A, out: Tensor, node: Node): void;
  /** High-precision reference: the same function in exact arithmetic, against `BigMath`. */
  reference<T>(inputs: readonly RefTensor<T>[], attrs: A, M: BigMath<T>, out: ConcreteType, node: Node): T[];
  /** Reverse-mode rule: one gradient node per input, or `null` where there is none (integers). */
  vjp(ctx: VjpContext<A>): readonly (Node | null)[];
  /** Short label for pictures and printed graphs. */
  dot(attrs: A): string;
  /**
   * For elementwise ops on floats: the scalar function the kernel applies to each element, which
   * the compiled backend fuses with its neighbours into one loop (same function, same rounding,
   * so the fused loop gives the interpreter's bits).
   */
  readonly elementwise?: Elementwise;
  /** What a fused gradient computes, in one line; pictures show it as the node's tooltip. */
  readonly formula?: string;
  /**
   * Where each input is meaningful, for ops that are real-valued only on part of the line (log,
   * sqrt, log1p: their first input) or that expect probabilities (cross-entropy labels): one
   * closed interval `[lo, hi]` per input, `null` for any value. Samplers, such as the stability
   * lint's, draw the inputs that feed the op from there.
   */
  readonly domains?: readonly (readonly [lo: number, hi: number] | null)[];
  /** The groups the op belongs to (see `OpTrait`); other packages ask with `hasTrait`, never by name. */
  readonly traits?: readonly OpTrait[];
}

/**
 * A group an op belongs to, declared on its definition so that no package keeps a list of op
 * names. Adding an op means its file, its registry line and its traits. Elementwise ops are
 * marked by their `elementwise` scalar function instead (`isElementwise`).
 *
 * - `source`: no inputs; its value is fed or held (input, param, constant).
 * - `commutative`: two inputs that can be swapped, bit for bit (the rewrite matcher tries both orders).
 * - `comparison`: elementwise, two values of one dtype in, int32 0/1 out.
 * - `reduction`: reduces over its `axes` attribute, with `keepDims`.
 * - `view`: its output is its first input's data, in the same order, under another shape
 *   (the compiled backend shares the buffer).
 * - `movement`: its output only moves, drops or copies elements of its first input (the other
 *   inputs are indices or shapes), so a probability stays a probability through it.
 * - `logarithm`: the natural log of a quantity, the factor cross-entropy spellings multiply by labels.
 * - `stable`: a numerically stable primitive that stabilize builds in place of a naive spelling
 *   (pictures highlight it).
 * - `fusedLoss`: a cross-entropy on logits; `fusedLossGrad`: the fused gradient of one.
 * @example
 * ```ts
 * hasTrait('equal', 'comparison'); // true
 * hasTrait('reshape', 'view');     // true
 * ```
 */
export type OpTrait =
  | 'source' | 'commutative' | 'comparison' | 'reduction' | 'view' | 'movement' | 'logarithm' | 'stable' | 'fusedLoss' | 'fusedLossGrad';

/**
 * An elementwise op's scalar form: the function of one element of each input. The op's kernel
 * applies it to every element (with NumPy broadcasting), and the compiled backend calls the same
 * function from its fused loops, so both give the same bits by construction.
 * @example
 * ```ts
 * const addElementwise: Elementwise = { scalar: (a, b) => a + b };
 * ```
 */
export interface Elementwise {
  /** The function of one element of each input, computed in float64 and stored into the output's dtype. */
  readonly scalar: (...args: number[]) => number;
}

/**
 * What `defineOp` takes: an op definition whose `kernel` may be left out when the op is
 * elementwise, since the scalar function then defines it.
 * @example
 * ```ts
 * const spec: OpSpec = { name: 'exp', arity: 1, attrs: {}, infer: floatUnary, elementwise: { scalar: Math.exp }, ... };
 * ```
 */
export type OpSpec<A extends Attrs> = Omit<OpDef<A>, 'kernel'> & Partial<Pick<OpDef<A>, 'kernel'>>;

/**
 * Defines an op: freezes the definition, and gives an elementwise op without its own kernel the
 * kernel of its scalar function (`elementwiseKernel`).
 * @example
 * ```ts
 * export const expOp = defineOp({
 *   name: 'exp', arity: 1, attrs: {},
 *   infer: floatUnary, elementwise: { scalar: Math.exp }, reference: unaryReference((x, M) => M.exp(x)),
 *   vjp: ({ output, cotangent }) => [cotangent.mul(output)], // d e^x = e^x dx
 *   dot: () => 'exp',
 * });
 * ```
 */
export function defineOp<A extends Attrs>(spec: OpSpec<A>): OpDef<A> {
  const { kernel, elementwise, arity } = spec;
  if (kernel !== undefined) return Object.freeze({ ...spec, kernel });
  if (elementwise === undefined || typeof arity !== 'number') {
    throw new TypeError(`op '${spec.name}' has no kernel: give one, or an elementwise scalar function`);
  }
  return Object.freeze({ ...spec, kernel: elementwiseKernel(elementwise.scalar, arity) });
}
