/**
 * Patterns, built with the same vocabulary as graphs: `P.log(P.sigmoid(z))` matches
 * `log(sigmoid(x))` for any x and binds it to `z`. The type parameter collects the capture
 * names, so a rule's `replace` gets a typed match.
 * @module
 */
import { type AttrValue, type Node, OP_NAMES, type OpName } from '@stablegrad/core';

/**
 * A node pattern whose captures have names `N`.
 * @example
 * ```ts
 * const pattern: Pattern<'z'> = P.log(P.sigmoid(v('z')));
 * match(pattern, log(sigmoid(input([3], { name: 'z' }))))?.z.name; // 'z'
 * ```
 */
export type Pattern<N extends string = string> = CapturePattern<N> | OpPattern<N> | ConstPattern<N>;

/**
 * Matches any node (that passes `test`) and binds it to `name`; the same name must bind the same node.
 * @example
 * ```ts
 * v('z');                                  // { kind: 'capture', name: 'z', test: undefined }
 * v('x', (node) => node.dtype === 'float64');
 * ```
 */
export interface CapturePattern<N extends string = string> {
  readonly kind: 'capture';
  readonly name: N;
  /** Optional predicate the node must pass (e.g. a dtype or shape check). */
  readonly test: ((node: Node) => boolean) | undefined;
}

/**
 * Matches a node of one of `ops` whose inputs match `inputs` and whose attributes match `attrs`.
 * @example
 * ```ts
 * P.log(P.sigmoid(v('z')));                    // kind 'op', ops ['log'], one input pattern
 * op(['sum', 'mean'], [v('x')], { keepDims: false });
 * ```
 */
export interface OpPattern<N extends string = string> {
  readonly kind: 'op';
  readonly ops: readonly OpName[];
  readonly inputs: readonly Pattern<N>[];
  readonly attrs: { readonly [name: string]: AttrPattern };
  /** Also bind the matched node itself to this name. */
  readonly bind: N | undefined;
}

/**
 * Matches a constant whose every element is within `tolerance` (relative) of `value`.
 * @example
 * ```ts
 * c(1);                         // { kind: 'const', value: 1, tolerance: 0, bind: undefined }
 * c(1e-7, { tolerance: 0.5 });  // also a float32-rounded epsilon
 * ```
 */
export interface ConstPattern<N extends string = string> {
  readonly kind: 'const';
  readonly value: number;
  readonly tolerance: number;
  readonly bind: N | undefined;
}

/**
 * An attribute constraint: a literal value, or a capture of the value under a name.
 * @example
 * ```ts
 * op('softmax', [v('z')], { axis: -1 });          // a literal attribute value
 * op('softmax', [v('z')], { axis: attr('axis') }); // captured as m.$attrs.axis
 * ```
 */
export type AttrPattern = AttrValue | AttrCapture;

/**
 * Binds an attribute's value to `name`; the same name must see equal values.
 * @example
 * ```ts
 * const m = match(op('sum', [v('x')], { axes: attr('axes') }), input([2, 3], { name: 'x' }).sum({ axis: 1 }));
 * m?.$attrs.axes; // [1]
 * ```
 */
export interface AttrCapture {
  readonly kind: 'attr';
  readonly name: string;
}

type NamesOf<T> = T extends Pattern<infer N> ? N : never;

/**
 * Captures any node as `name`, optionally only nodes that pass `test`.
 * @example
 * ```ts
 * const z = v('z');
 * const logits = v('z', (n) => n.dtype !== 'int32');
 * ```
 */
export function v<const N extends string>(name: N, test?: (node: Node) => boolean): CapturePattern<N> {
  return { kind: 'capture', name, test };
}

/**
 * A constant whose every element is `value`, within a relative `tolerance` (default: exact),
 * so that `c(1e-7, { tolerance: 0.5 })` also matches a float32-rounded Keras epsilon.
 * @example
 * ```ts
 * P.sub(c(1), P.sigmoid(v('z')))   // 1 - sigmoid(z)
 * ```
 */
export function c(value: number, options: { tolerance?: number } = {}): ConstPattern<never> {
  return { kind: 'const', value, tolerance: options.tolerance ?? 0, bind: undefined };
}

/**
 * A pattern for an op (or any of several ops) with input patterns and attribute constraints.
 * @example
 * ```ts
 * op('softmax', [v('z')], { axis: attr('axis') })
 * op(['sum', 'mean'], [v('x')], { keepDims: false })
 * ```
 */
export function op<const I extends readonly Pattern<string>[]>(
  ops: OpName | readonly OpName[], inputs: I, attrs: { readonly [name: string]: AttrPattern } = {},
): OpPattern<NamesOf<I[number]>> {
  return { kind: 'op', ops: typeof ops === 'string' ? [ops] : ops, inputs: inputs as readonly Pattern<NamesOf<I[number]>>[], attrs, bind: undefined };
}

/**
 * The same pattern, also binding the matched node as `name`.
 * @example
 * ```ts
 * bind('p', P.sigmoid(v('z')))   // m.p is the sigmoid node, m.z its input
 * ```
 */
export function bind<const B extends string, N extends string>(name: B, pattern: OpPattern<N> | ConstPattern<N>): Pattern<N | B> {
  return { ...pattern, bind: name } as Pattern<N | B>;
}

/**
 * Captures an attribute's value as `name`.
 * @example
 * ```ts
 * op('logSoftmax', [v('z')], { axis: attr('axis') })
 * ```
 */
export function attr(name: string): AttrCapture {
  return { kind: 'attr', name };
}

/**
 * One pattern builder per op, taking input patterns only: `P.add(a, b)`, `P.log(x)`.
 * @example
 * ```ts
 * P.sub(c(1), P.sigmoid(v('z'))); // 1 - sigmoid(z): P has one builder per op name
 * ```
 */
export type PatternBuilders = {
  readonly [K in OpName]: <const I extends readonly Pattern<string>[]>(...inputs: I) => OpPattern<NamesOf<I[number]>>;
};

/**
 * Pattern builders named like the ops. Use `op(name, inputs, attrs)` to constrain attributes.
 * @example
 * ```ts
 * P.log(P.add(c(1), v('x')))   // log(1 + x)
 * ```
 */
export const P: PatternBuilders = Object.fromEntries(
  OP_NAMES.map((name) => [name, (...inputs: readonly Pattern<string>[]) => op(name, inputs)]),
) as unknown as PatternBuilders;
