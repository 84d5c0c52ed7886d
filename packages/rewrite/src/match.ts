/**
 * Matching a pattern against a node: captures bind nodes (the same name must bind the same
 * node), attribute captures bind values, constants match within a tolerance, and the
 * commutative ops (`add`, `mul`, `maximum`, `minimum`, `equal`, `notEqual`) match either order.
 * @module
 */
import type { AttrValue, Node, OpName } from '@stablegrad/core';
import type { AttrPattern, Pattern } from './pattern.js';

/**
 * What a successful match found: captured nodes by name, plus `$root` and `$attrs`.
 * @example
 * ```ts
 * const m = match(P.log(P.sigmoid(v('z'))), log(sigmoid(input([3], { name: 'z' }))));
 * if (m) logSigmoid(m.z); // m.z is typed: the pattern captures 'z'
 * ```
 */
export type Match<N extends string = string> = { readonly [K in N]: Node } & MatchInfo;

/**
 * The parts of a match that are not captured nodes.
 * @example
 * ```ts
 * const m = match(P.log(v('x')), node);
 * m?.$root === node; // true
 * ```
 */
export interface MatchInfo {
  /** The node the whole pattern matched. */
  readonly $root: Node;
  /** Captured attribute values by name. */
  readonly $attrs: { readonly [name: string]: AttrValue };
}

const COMMUTATIVE: ReadonlySet<OpName> = new Set<OpName>(['add', 'mul', 'maximum', 'minimum', 'equal', 'notEqual']);

interface Bindings {
  nodes: Map<string, Node>;
  attrs: Map<string, AttrValue>;
}

/**
 * Matches `pattern` at `node`; returns the first match (see `matches` for the order) or null.
 * @example
 * ```ts
 * const m = match(P.log(P.sigmoid(v('z'))), someNode);
 * if (m) console.log(m.z.path);
 * ```
 */
export function match<N extends string>(pattern: Pattern<N>, node: Node): Match<N> | null {
  for (const found of matches(pattern, node)) return found;
  return null;
}

/**
 * Every way `pattern` matches at `node`, in a fixed order: each commutative node tries its
 * inputs in order, then swapped, and the choice at an earlier node varies slowest. So a
 * constraint further on (a capture bound twice, a rule's guard) can reject one choice of order
 * and accept another.
 * @example
 * ```ts
 * const x = input([], { name: 'x' }), y = input([], { name: 'y' });
 * [...matches(P.add(v('a'), v('b')), add(x, y))].map((m) => m.a.name); // ['x', 'y']
 * ```
 */
export function* matches<N extends string>(pattern: Pattern<N>, node: Node): Generator<Match<N>, void, undefined> {
  for (const found of matchAt(pattern, node, { nodes: new Map(), attrs: new Map() })) {
    yield Object.freeze({ ...Object.fromEntries(found.nodes), $root: node, $attrs: Object.fromEntries(found.attrs) }) as Match<N>;
  }
}

// Each generator yields every binding state that extends `b` with a match; patterns are small,
// so trying both orders of each commutative node (2^k for k of them) stays cheap.
function* matchAt(pattern: Pattern, node: Node, b: Bindings): Generator<Bindings, void, undefined> {
  switch (pattern.kind) {
    case 'capture': {
      const state = pattern.test === undefined || pattern.test(node) ? bindNode(pattern.name, node, b) : null;
      if (state !== null) yield state;
      return;
    }
    case 'const': {
      if (!isConstantNear(node, pattern.value, pattern.tolerance)) return;
      const state = pattern.bind === undefined ? b : bindNode(pattern.bind, node, b);
      if (state !== null) yield state;
      return;
    }
    case 'op': {
      if (!pattern.ops.includes(node.op) || pattern.inputs.length !== node.inputs.length) return;
      let state = matchAttrs(pattern.attrs, node, b);
      if (state !== null && pattern.bind !== undefined) state = bindNode(pattern.bind, node, state);
      if (state === null) return;
      yield* matchInputs(pattern.inputs, node.inputs, state);
      const [first, second] = node.inputs;
      // add(x, x) swapped is add(x, x): trying it again would only repeat the same matches.
      if (COMMUTATIVE.has(node.op) && node.inputs.length === 2 && first !== second) {
        yield* matchInputs(pattern.inputs, [second!, first!], state);
      }
      return;
    }
    default:
      return pattern satisfies never;
  }
}

/** Matches `patterns[from..]` against `inputs[from..]`, each input's matches extending the previous ones. */
function* matchInputs(patterns: readonly Pattern[], inputs: readonly Node[], b: Bindings, from = 0): Generator<Bindings, void, undefined> {
  if (from === patterns.length) {
    yield b;
    return;
  }
  for (const state of matchAt(patterns[from]!, inputs[from]!, b)) yield* matchInputs(patterns, inputs, state, from + 1);
}

// Bindings are copied on write, so an abandoned alternative leaves no trace in the others.
function bindNode(name: string, node: Node, b: Bindings): Bindings | null {
  const bound = b.nodes.get(name);
  if (bound !== undefined) return bound === node ? b : null;
  return { nodes: new Map(b.nodes).set(name, node), attrs: b.attrs };
}

function matchAttrs(attrs: { readonly [name: string]: AttrPattern }, node: Node, b: Bindings): Bindings | null {
  let state = b;
  for (const [name, want] of Object.entries(attrs)) {
    const have = node.attrs[name];
    if (have === undefined) return null;
    if (typeof want === 'object' && want !== null && !Array.isArray(want) && 'kind' in want) {
      const bound = state.attrs.get(want.name);
      if (bound !== undefined) {
        if (!sameAttr(bound, have)) return null;
      } else {
        state = { nodes: state.nodes, attrs: new Map(state.attrs).set(want.name, have) };
      }
    } else if (!sameAttr(want as AttrValue, have)) {
      return null;
    }
  }
  return state;
}

/**
 * Structural equality of attribute values.
 * @example
 * ```ts
 * sameAttr([0, 1], [0, 1]); // true
 * sameAttr([0], 0);         // false
 * ```
 */
export function sameAttr(a: AttrValue, b: AttrValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * True when `node` is a constant whose every element is within `tolerance` (relative) of `value`.
 * @example
 * ```ts
 * isConstantNear(constant(1), 1);                    // true
 * isConstantNear(constant([1, 1.0000001]), 1, 1e-6); // true
 * isConstantNear(input([], { name: 'x' }), 1, 1);    // false: not a constant
 * ```
 */
export function isConstantNear(node: Node, value: number, tolerance = 0): boolean {
  if (node.op !== 'constant' || node.value === undefined || node.value.data.length === 0) return false;
  const limit = tolerance * Math.abs(value);
  for (const x of node.value.data) if (!(Math.abs(x - value) <= limit)) return false;
  return true;
}
