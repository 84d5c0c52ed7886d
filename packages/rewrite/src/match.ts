/**
 * Matching a pattern against a node: captures bind nodes (the same name must bind the same
 * node), attribute captures bind values, constants match within a tolerance, and the
 * commutative ops (`add`, `mul`, `maximum`, `minimum`, `equal`, `notEqual`) match either order.
 * @module
 */
import { type AttrValue, hasTrait, type Node } from '@stablegrad/core';
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

/**
 * The state of one search: the bindings made so far along the current path, and the goals
 * (pattern, node) still to match, all as stacks. Binding pushes and backtracking pops, so
 * nothing is allocated while the search runs, and the bindings keep the order in which they
 * were made. States are pooled: a guard may start another search while one is running.
 */
interface Search {
  readonly names: string[];
  readonly nodes: Node[];
  readonly attrNames: string[];
  readonly attrValues: AttrValue[];
  readonly goalPatterns: Pattern[];
  readonly goalNodes: Node[];
  /** The node the whole pattern is matched at. */
  root: Node | undefined;
  /** Takes or rejects each match in turn; the first one taken ends the search. */
  accept: ((m: Match) => boolean) | undefined;
  /** Or collects every match. */
  all: Match[] | undefined;
  /** The match taken. */
  first: Match | null;
}

const idle: Search[] = [];

/**
 * Searches `pattern` at `node`: collects every match into `all` if given, else returns the
 * first that `accept` takes.
 */
function run(pattern: Pattern, node: Node, accept: ((m: Match) => boolean) | undefined, all?: Match[]): Match | null {
  if (!mayMatch(pattern, node)) return null;
  const s: Search = idle.pop() ?? {
    names: [], nodes: [], attrNames: [], attrValues: [], goalPatterns: [], goalNodes: [],
    root: undefined, accept: undefined, all: undefined, first: null,
  };
  s.root = node;
  s.accept = accept;
  s.all = all;
  s.first = null;
  s.goalPatterns.push(pattern);
  s.goalNodes.push(node);
  solve(s);
  // Every binding and goal is popped again on the way back (a guard that throws loses the state).
  s.goalPatterns.pop();
  s.goalNodes.pop();
  const first = s.first;
  s.root = s.accept = s.all = undefined;
  s.first = null;
  idle.push(s);
  return first;
}

/**
 * False when `pattern` cannot match at `node`, by the ops of the node and of its inputs alone
 * (in either order for a commutative op, as `solve` tries them). Most rules tried at a node
 * fail there, and this says so without setting up a search.
 */
function mayMatch(pattern: Pattern, node: Node): boolean {
  if (pattern.kind !== 'op') return true;
  const inputs = node.inputs;
  if (!pattern.ops.includes(node.op) || pattern.inputs.length !== inputs.length) return false;
  if (inputsMayMatch(pattern.inputs, inputs, false)) return true;
  return hasTrait(node.op, 'commutative') && inputs.length === 2 && inputs[0] !== inputs[1] && inputsMayMatch(pattern.inputs, inputs, true);
}

function inputsMayMatch(patterns: readonly Pattern[], inputs: readonly Node[], swapped: boolean): boolean {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i]!;
    const n = inputs[swapped ? 1 - i : i]!;
    if (p.kind === 'op' ? !p.ops.includes(n.op) || p.inputs.length !== n.inputs.length : p.kind === 'const' && n.op !== 'constant') return false;
  }
  return true;
}

/** A complete match: collected, or offered to `accept`. True when the search is over. */
function found(s: Search): boolean {
  const m = toMatch(s, s.root!);
  if (s.all !== undefined) {
    s.all.push(m);
    return false;
  }
  if (s.accept !== undefined && !s.accept(m)) return false;
  s.first = m;
  return true;
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
  return run(pattern, node, undefined) as Match<N> | null;
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
  const all: Match[] = [];
  run(pattern, node, undefined, all);
  yield* all as Match<N>[];
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
  return run(pattern, node, accept as (m: Match) => boolean) as Match<N> | null;
}

/** The `$attrs` of the matches that capture no attribute (most): one frozen object for all. */
const NO_ATTRS: { readonly [name: string]: AttrValue } = Object.freeze({});

// Captures in the order they were bound, then $root and $attrs.
function toMatch(s: Search, root: Node): Match {
  const m: { [name: string]: unknown } = {};
  for (let i = 0; i < s.names.length; i++) m[s.names[i]!] = s.nodes[i];
  let attrs: { [name: string]: AttrValue } = NO_ATTRS;
  if (s.attrNames.length > 0) {
    attrs = {};
    for (let i = 0; i < s.attrNames.length; i++) attrs[s.attrNames[i]!] = s.attrValues[i]!;
  }
  m.$root = root;
  m.$attrs = attrs;
  return Object.freeze(m) as Match;
}

// Depth-first: takes the goal on top of the stack and, for each way it matches, solves the
// rest; calls `found` when no goal is left. An op pattern's inputs become goals, the first on
// top, so the choices at an earlier node vary slowest (the order documented on `matches`).
// Patterns are small, so trying both orders of each commutative node (2^k for k of them)
// stays cheap. Returns true once `found` does; leaves the stacks as it found them.
function solve(s: Search): boolean {
  const pattern = s.goalPatterns.pop();
  if (pattern === undefined) return found(s);
  const node = s.goalNodes.pop()!;
  const nodesBound = s.names.length;
  const attrsBound = s.attrNames.length;
  let stop = false;
  switch (pattern.kind) {
    case 'capture':
      if ((pattern.test === undefined || pattern.test(node)) && bindNode(pattern.name, node, s)) stop = solve(s);
      break;
    case 'const':
      if (isConstantNear(node, pattern.value, pattern.tolerance) && (pattern.bind === undefined || bindNode(pattern.bind, node, s))) stop = solve(s);
      break;
    case 'op': {
      if (!pattern.ops.includes(node.op) || pattern.inputs.length !== node.inputs.length) break;
      if (!bindAttrs(pattern.attrs, node, s) || (pattern.bind !== undefined && !bindNode(pattern.bind, node, s))) break;
      stop = solveInputs(pattern.inputs, node, false, s);
      // add(x, x) swapped is add(x, x): trying it again would only repeat the same matches.
      if (!stop && hasTrait(node.op, 'commutative') && node.inputs.length === 2 && node.inputs[0] !== node.inputs[1]) {
        stop = solveInputs(pattern.inputs, node, true, s);
      }
      break;
    }
    default:
      pattern satisfies never;
  }
  unbind(s, nodesBound, attrsBound);
  s.goalPatterns.push(pattern);
  s.goalNodes.push(node);
  return stop;
}

/** Solves with the inputs of `node` as the next goals (its two inputs swapped if `swapped`). */
function solveInputs(patterns: readonly Pattern[], node: Node, swapped: boolean, s: Search): boolean {
  const count = patterns.length;
  for (let i = count - 1; i >= 0; i--) {
    s.goalPatterns.push(patterns[i]!);
    s.goalNodes.push(node.inputs[swapped ? 1 - i : i]!);
  }
  const stop = solve(s);
  for (let i = 0; i < count; i++) {
    s.goalPatterns.pop();
    s.goalNodes.pop();
  }
  return stop;
}

function bindNode(name: string, node: Node, s: Search): boolean {
  const at = s.names.indexOf(name);
  if (at >= 0) return s.nodes[at] === node;
  s.names.push(name);
  s.nodes.push(node);
  return true;
}

/** Drops the bindings made after the stacks had these lengths. */
function unbind(s: Search, nodes: number, attrs: number): void {
  while (s.names.length > nodes) {
    s.names.pop();
    s.nodes.pop();
  }
  while (s.attrNames.length > attrs) {
    s.attrNames.pop();
    s.attrValues.pop();
  }
}

function bindAttrs(attrs: { readonly [name: string]: AttrPattern }, node: Node, s: Search): boolean {
  for (const name in attrs) {
    const want = attrs[name]!;
    const have = node.attrs[name];
    if (have === undefined) return false;
    if (typeof want === 'object' && want !== null && !Array.isArray(want) && 'kind' in want) {
      const at = s.attrNames.indexOf(want.name);
      if (at < 0) {
        s.attrNames.push(want.name);
        s.attrValues.push(have);
      } else if (!sameAttr(s.attrValues[at]!, have)) {
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
