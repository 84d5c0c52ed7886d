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

/**
 * The bindings made so far along one path of the search, as parallel stacks: binding pushes,
 * backtracking truncates to the lengths saved before. Nothing is allocated for a node that the
 * pattern rejects, and the entries keep the order in which they were bound.
 */
interface Bindings {
  readonly names: string[];
  readonly nodes: Node[];
  readonly attrNames: string[];
  readonly attrValues: AttrValue[];
}

/** Called with each complete match in turn; returns true to stop the search. */
type Found = (b: Bindings) => boolean;

/**
 * Matches `pattern` at `node`; returns the first match (see `matches` for the order) or null.
 * @example
 * ```ts
 * const m = match(P.log(P.sigmoid(v('z'))), someNode);
 * if (m) console.log(m.z.path);
 * ```
 */
export function match<N extends string>(pattern: Pattern<N>, node: Node): Match<N> | null {
  return firstMatch(pattern, node, () => true);
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
  const all: Match<N>[] = [];
  search(pattern, node, emptyBindings(), (b) => {
    all.push(toMatch<N>(b, node));
    return false;
  });
  yield* all;
}

/**
 * The first match of `pattern` at `node`, in the order of `matches`, that `accept` takes (a
 * rule's guard), or null. Makes no generator, and no match object for a node that the pattern
 * rejects: this is what the engine runs at every node.
 * @example
 * ```ts
 * const x = input([], { name: 'x' }), y = input([], { name: 'y' });
 * firstMatch(P.add(v('a'), v('b')), add(x, y), (m) => m.a === y)?.b.name; // 'x': the swapped order
 * ```
 */
export function firstMatch<N extends string>(pattern: Pattern<N>, node: Node, accept: (m: Match<N>) => boolean): Match<N> | null {
  let first: Match<N> | null = null;
  search(pattern, node, emptyBindings(), (b) => {
    const m = toMatch<N>(b, node);
    if (!accept(m)) return false;
    first = m;
    return true;
  });
  return first;
}

function emptyBindings(): Bindings {
  return { names: [], nodes: [], attrNames: [], attrValues: [] };
}

// Captures in the order they were bound, then $root and $attrs.
function toMatch<N extends string>(b: Bindings, root: Node): Match<N> {
  const m: { [name: string]: unknown } = {};
  for (let i = 0; i < b.names.length; i++) m[b.names[i]!] = b.nodes[i];
  const attrs: { [name: string]: AttrValue } = {};
  for (let i = 0; i < b.attrNames.length; i++) attrs[b.attrNames[i]!] = b.attrValues[i]!;
  m.$root = root;
  m.$attrs = attrs;
  return Object.freeze(m) as Match<N>;
}

// Depth-first: `found` sees every binding state that extends `b` with a match of `pattern` at
// `node`, in the order documented on `matches`; true (stop) as soon as `found` returns true.
// Patterns are small, so trying both orders of each commutative node (2^k for k of them) stays cheap.
function search(pattern: Pattern, node: Node, b: Bindings, found: Found): boolean {
  switch (pattern.kind) {
    case 'capture':
      if (pattern.test !== undefined && !pattern.test(node)) return false;
      return withNode(pattern.name, node, b, found);
    case 'const':
      if (!isConstantNear(node, pattern.value, pattern.tolerance)) return false;
      return pattern.bind === undefined ? found(b) : withNode(pattern.bind, node, b, found);
    case 'op': {
      if (!pattern.ops.includes(node.op) || pattern.inputs.length !== node.inputs.length) return false;
      const nodesBound = b.names.length;
      const attrsBound = b.attrNames.length;
      let stop = false;
      if (bindAttrs(pattern.attrs, node, b) && (pattern.bind === undefined || bindNode(pattern.bind, node, b))) {
        stop = searchInputs(pattern.inputs, node, false, 0, b, found);
        const [first, second] = node.inputs;
        // add(x, x) swapped is add(x, x): trying it again would only repeat the same matches.
        if (!stop && COMMUTATIVE.has(node.op) && node.inputs.length === 2 && first !== second) {
          stop = searchInputs(pattern.inputs, node, true, 0, b, found);
        }
      }
      unbind(b, nodesBound, attrsBound);
      return stop;
    }
    default:
      return pattern satisfies never;
  }
}

/** Matches `patterns[from..]` against the inputs of `node` from `from` on (its two inputs swapped if `swapped`). */
function searchInputs(patterns: readonly Pattern[], node: Node, swapped: boolean, from: number, b: Bindings, found: Found): boolean {
  if (from === patterns.length) return found(b);
  const input = node.inputs[swapped ? 1 - from : from]!;
  return search(patterns[from]!, input, b, (state) => searchInputs(patterns, node, swapped, from + 1, state, found));
}

/** Runs `found` with `name` bound to `node`; false when `name` is already bound to another node. */
function withNode(name: string, node: Node, b: Bindings, found: Found): boolean {
  const nodesBound = b.names.length;
  if (!bindNode(name, node, b)) return false;
  const stop = found(b);
  unbind(b, nodesBound, b.attrNames.length);
  return stop;
}

function bindNode(name: string, node: Node, b: Bindings): boolean {
  const at = b.names.indexOf(name);
  if (at >= 0) return b.nodes[at] === node;
  b.names.push(name);
  b.nodes.push(node);
  return true;
}

/** Drops the bindings made after the stacks had these lengths. */
function unbind(b: Bindings, nodes: number, attrs: number): void {
  while (b.names.length > nodes) {
    b.names.pop();
    b.nodes.pop();
  }
  while (b.attrNames.length > attrs) {
    b.attrNames.pop();
    b.attrValues.pop();
  }
}

function bindAttrs(attrs: { readonly [name: string]: AttrPattern }, node: Node, b: Bindings): boolean {
  for (const [name, want] of Object.entries(attrs)) {
    const have = node.attrs[name];
    if (have === undefined) return false;
    if (typeof want === 'object' && want !== null && !Array.isArray(want) && 'kind' in want) {
      const at = b.attrNames.indexOf(want.name);
      if (at < 0) {
        b.attrNames.push(want.name);
        b.attrValues.push(have);
      } else if (!sameAttr(b.attrValues[at]!, have)) {
        return false;
      }
    } else if (!sameAttr(want as AttrValue, have)) {
      return false;
    }
  }
  return true;
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
