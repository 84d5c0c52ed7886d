/**
 * The rewrite engine: ordered rule sets (phases) run to a fixpoint over an immutable graph.
 * A pass walks the graph in topological order, rebuilds a node when one of its inputs changed,
 * (in phases with `cse`) replaces it by an equal node seen earlier in the pass, then tries the
 * phase's rules at it in order; the first that matches replaces it, and the
 * rules are tried again at the replacement. Passes repeat until one changes nothing. A rule set
 * that keeps firing is a bug, reported as a RewriteError that names the rules involved.
 *
 * The cost stays linear in the graph: at a node only the rules whose pattern can match its op
 * are tried (rules are indexed by the root op of their pattern), and a node at which no rule
 * fired is not tried again in later passes of the phase. Nodes are immutable, so the same node
 * object is the same subgraph, where the same rules fail again; skipping it changes nothing but
 * the time. `report.work` counts what was tried.
 *
 * Passes repeat until one changes nothing, but that last, confirming pass is often known to
 * change nothing before it starts: when the pass before it reached every node it left in the
 * graph and merged every pair of equal ones (see `PhaseRun.clean`). Then it is counted in the
 * report (`passes`, and the nodes it would have walked in `work.walked`) but not run. Firing
 * records print their `before` and `after` expressions when first read.
 * @module
 */
import {
  type Attrs, type Graph, type GraphOutputs, graph as collect, inferFor, isGraph, mayBeSameShape, Node, type OpName, opDef, type Shape, StablegradError, topoSort, withScopePath,
} from '@stablegrad/core';
import { formatExpression } from './format-expression.js';
import { firstMatch, type Match } from './match.js';
import type { Pattern } from './pattern.js';
import type { Phase, RewriteRule } from './rule.js';

/**
 * A rule set that does not reach a fixpoint, or a rule that produced an ill-typed replacement.
 * @example
 * ```ts
 * const dropSum = rule({
 *   name: 'drop-sum', doc: 'sum(x) -> x (wrong: changes the shape)',
 *   pattern: P.sum(v('x')), replace: (m) => m.x, examples: [],
 * });
 * rewrite({ s: input([3], { name: 'x' }).sum() }, [{ name: 'bad', rules: [dropSum] }]);
 * // RewriteError: rule 'drop-sum' replaced sum 'sum' [] float32 with input 'x' [3] float32: the shape or dtype differs
 * ```
 */
export class RewriteError extends StablegradError {
  override name = 'RewriteError';
}

/**
 * One rule firing, as plain data (plus the two nodes, for tools that draw them).
 * @example
 * ```ts
 * const { report } = stabilize({ loss: log(sigmoid(input([3], { name: 'z' }))).mean() });
 * const f = report.firings[0]!;
 * // { phase: 'stabilize', rule: 'log-sigmoid', path: 'log', before: 'log(sigmoid(z))', after: 'logSigmoid(z)', captures: { z: 'z' }, ... }
 * ```
 */
export interface Firing {
  readonly phase: string;
  readonly rule: string;
  readonly doc: string;
  /** Scope path and name of the user's node that was replaced. */
  readonly path: string;
  readonly scope: readonly string[];
  /** The matched expression, captures printed by their names. */
  readonly before: string;
  /** The replacement, captures printed by their names. */
  readonly after: string;
  /** What each capture stood for: capture name -> node path. */
  readonly captures: { readonly [name: string]: string };
  /** The matched node and its replacement (non-enumerable: `JSON.stringify` leaves them out). */
  readonly matched: Node;
  readonly replacement: Node;
}

/**
 * What a rewrite did.
 * @example
 * ```ts
 * const { report } = stabilize({ loss });
 * report.firings.map((f) => f.rule);  // ['sub-to-add-neg', ..., 'binary-cross-entropy', ...]
 * report.phases.map((p) => p.name);  // ['canonicalize', 'stabilize', 'simplify'], each with passes and firings
 * console.log(explain(report));
 * ```
 */
export interface RewriteReport {
  readonly firings: readonly Firing[];
  /** Per phase: passes run and rules fired. */
  readonly phases: readonly { readonly name: string; readonly passes: number; readonly firings: number }[];
  /**
   * What the engine tried, summed over all phases and passes (non-enumerable: `JSON.stringify`
   * leaves it out). Set by `rewrite`; a report built by hand may leave it out.
   */
  readonly work?: RewriteWork;
}

/**
 * Work counts of one rewrite: each stays below a constant times the number of nodes, however
 * large the graph (the rule guards' own work is not counted).
 * @example
 * ```ts
 * const { report } = stabilize({ loss });
 * report.work!.attempts / report.work!.nodes; // rule attempts per node of the input graph
 * ```
 */
export interface RewriteWork {
  /** Nodes of the graph given to `rewrite`. */
  readonly nodes: number;
  /** Nodes walked by the passes, summed over passes (each pass walks the whole graph). */
  readonly walked: number;
  /** Nodes at which rules were tried (new ones and those whose subgraph changed). */
  readonly visits: number;
  /** Rules tried at a node: a pattern matched against it. */
  readonly attempts: number;
  /** Guard calls (a guard may reject one match of a pattern and accept the next). */
  readonly guards: number;
}

/**
 * The rewritten graph and its report.
 * @example
 * ```ts
 * const { graph: stable, report }: RewriteResult = stabilize({ loss });
 * evaluate(stable.outputs[0]!, feeds);
 * ```
 */
export interface RewriteResult {
  readonly graph: Graph;
  readonly report: RewriteReport;
}

/**
 * Limits that turn a looping rule set into an error.
 * @example
 * ```ts
 * stabilize({ loss }, { maxPasses: 16 }); // a RewriteError instead of 64 passes of a looping rule set
 * ```
 */
export interface RewriteOptions {
  /** Passes per phase before giving up (default 64). */
  readonly maxPasses?: number;
  /** Firings at one node within one pass before giving up (default 64). */
  readonly maxFiringsPerNode?: number;
}

/**
 * Runs `phases` in order, each to a fixpoint. Deterministic: the same graph gives the same
 * result and report. Nodes that nothing touched are kept (same objects).
 * @example
 * ```ts
 * const { graph, report } = rewrite(graph({ loss }), [{ name: 'stabilize', rules: stabilizeRules }]);
 * ```
 */
export function rewrite(g: Graph | GraphOutputs, phases: readonly Phase[], options: RewriteOptions = {}): RewriteResult {
  const whole = isGraph(g) ? g : collect(g);
  let outputs = [...whole.outputs];
  const firings: Firing[] = [];
  const summary: { name: string; passes: number; firings: number }[] = [];
  const work = { nodes: whole.nodes.length, walked: 0, visits: 0, attempts: 0, guards: 0 };
  const shared: Shared = { keys: new Map(), settled: new Map(), passes: 0, skipped: 0 };
  // The first pass walks the nodes `collect` just sorted.
  let order = isGraph(g) ? undefined : whole.nodes;
  for (const phase of phases) {
    const before = firings.length;
    const run: PhaseRun = {
      phase, firings, maxFirings: options.maxFiringsPerNode ?? 64, left: 0, at: undefined, rulesByOp: new Map(), work, shared,
      since: shared.passes + 1, pass: 0, clean: false, inner: new Map(), kept: undefined,
    };
    let passes = 0;
    for (;;) {
      passes++;
      if (run.clean) {
        // The last pass proved that this one would find nothing: count it, walk nothing.
        shared.skipped++;
        break;
      }
      const fired = firings.length;
      outputs = runPass(outputs, run, order);
      order = undefined;
      if (firings.length === fired) break;
      if (passes >= (options.maxPasses ?? 64)) {
        const recent = [...new Set(firings.slice(-20).map((f) => f.rule))].join(', ');
        throw new RewriteError(`phase '${phase.name}' did not reach a fixpoint after ${passes} passes; rules still firing: ${recent}`);
      }
    }
    summary.push({ name: phase.name, passes, firings: firings.length - before });
  }
  const names = whole.outputNames;
  const rebuilt: Graph = { outputs, outputNames: names, nodes: topoSort(outputs) };
  work.walked += shared.skipped * rebuilt.nodes.length;
  const report: RewriteReport = Object.defineProperty({ firings, phases: summary }, 'work', { value: Object.freeze(work), enumerable: false });
  return { graph: rebuilt, report };
}

/** What the phases of one rewrite share. */
interface Shared {
  /** Structural keys by node (a key depends on the node alone). */
  readonly keys: Map<Node, string | null>;
  /**
   * Nodes at which every rule of a phase was tried and none fired, with the number of the
   * last pass (counted over all phases) whose walk reached the node (a `visit` returned it
   * unchanged): the node is settled in the phase whose first pass is that number or less.
   * Rules see only the subgraph below a node, and a node object is that subgraph (nodes are
   * immutable), so they would fail there again in a later pass of the phase.
   */
  readonly settled: Map<Node, number>;
  /** Passes run so far, over all phases. */
  passes: number;
  /**
   * Confirmation passes skipped (see PhaseRun.clean) whose walk is not counted yet: each would
   * have walked the graph that the next walk sees, and is counted there, so that `work` says
   * what the passes did.
   */
  skipped: number;
}

/** One phase of a rewrite: its rules by op, the pass running, what was done. */
interface PhaseRun {
  readonly phase: Phase;
  readonly firings: Firing[];
  readonly maxFirings: number;
  /** Firings still allowed while settling the node `at` of the pass. */
  left: number;
  at: Node | undefined;
  /** The phase's rules that can match a node of the op, in the phase's order (filled on first use). */
  readonly rulesByOp: Map<OpName, readonly Candidate[]>;
  readonly shared: Shared;
  /** The number of the phase's first pass (see `Shared.settled`). */
  readonly since: number;
  /** The number of the pass running, counted over all phases. */
  pass: number;
  /**
   * After a pass: true when it proved that another would find nothing. Another pass rewalks
   * the graph the last one returned, merges its common subexpressions and visits its nodes.
   * Each node it would visit was reached by this pass (returned unchanged by a visit, so it is
   * settled, and so was each node below it, visited before it), unless a replacement brought
   * in an older node from elsewhere; and no two of its nodes have the same structural key,
   * unless two nodes that this pass kept apart have (a node a replacement created is not
   * merged with an equal one until the next pass). So `clean` is cleared when a replacement
   * brings in a node this pass did not reach, and when a node reached takes a structural key
   * that another node reached holds (perhaps one no longer in the graph: then the next pass
   * runs and finds nothing, which is only slower).
   */
  clean: boolean;
  /** Structural keys of the nodes that replacements created in this pass (phases with `cse`). */
  readonly inner: Map<string, Node>;
  /** The common-subexpression table of the pass (phases with `cse`). */
  kept: Map<string, Node> | undefined;

  readonly work: { walked: number; visits: number; attempts: number; guards: number };
}

function runPass(outputs: readonly Node[], run: PhaseRun, order: readonly Node[] | undefined): Node[] {
  // What each node of the pass became, for those that changed.
  const memo = new Map<Node, Node>();
  // Common-subexpression table (phases with `cse`): structural key -> the node kept for it.
  const kept = run.phase.cse === true || run.phase.cse === 'silent' ? new Map<string, Node>() : undefined;
  run.kept = kept;
  const nodes = order ?? topoSort(outputs);
  const shared = run.shared;
  run.work.walked += nodes.length * (1 + shared.skipped);
  shared.skipped = 0;
  run.pass = ++shared.passes;
  run.clean = true;
  const inner = run.inner;
  inner.clear();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    let current = rebuild(node, memo);
    const key = kept === undefined ? undefined : keyOf(current, run.shared.keys);
    const earlier = key === undefined ? undefined : kept!.get(key);
    if (earlier !== undefined) {
      // An equal node came earlier in topological order: use it (its rules have already run).
      if (run.phase.cse !== 'silent') run.firings.push(sameAs(current, earlier, run.phase.name));
      if (earlier !== node) memo.set(node, earlier);
      continue;
    }
    run.left = run.maxFirings;
    run.at = node;
    const before = current;
    current = visit(current, run);
    if (key !== undefined) {
      // Later copies of the node as it was, or as it now is, become this result.
      kept!.set(key, current);
      const now = current === before ? key : keyOf(current, run.shared.keys);
      if (now !== undefined) {
        const holder = kept!.get(now);
        if (holder === undefined) kept!.set(now, current);
        else if (holder !== current) run.clean = false;
        const made = inner.get(now);
        if (made !== undefined && made !== current) run.clean = false;
      }
    }
    if (current !== node) memo.set(node, current);
  }
  return outputs.map((o) => memo.get(o) ?? o);
}

/** A rule of the phase, with its guard as the matcher calls it (counted). */
interface Candidate {
  readonly rule: RewriteRule;
  readonly accept: (m: Match) => boolean;
}

/** The rules of the phase that can match a node of `op`, in the phase's order. */
function rulesFor(op: OpName, run: PhaseRun): readonly Candidate[] {
  // The closures are made in `candidatesFor`, once per op: made here, their context would be
  // allocated at every visit.
  return run.rulesByOp.get(op) ?? candidatesFor(op, run);
}

function candidatesFor(op: OpName, run: PhaseRun): readonly Candidate[] {
  const candidates = run.phase.rules.filter((r) => rootAccepts(r.pattern, op)).map((rule) => ({
    rule,
    accept: rule.guard === undefined ? () => true : (m: Match) => {
      run.work.guards++;
      return rule.guard!(m);
    },
  }));
  run.rulesByOp.set(op, candidates);
  return candidates;
}

/** False when no node of `op` can match `pattern` (its root is a pattern for other ops). */
function rootAccepts(pattern: Pattern, op: OpName): boolean {
  switch (pattern.kind) {
    case 'capture': return true;
    case 'const': return op === 'constant';
    case 'op': return pattern.ops.includes(op);
    default: return pattern satisfies never;
  }
}

/**
 * Tries the phase's rules at `node` in order. When one fires, the nodes the replacement newly
 * created are visited first, inner ones before outer ones, and then its root: so a rule at the
 * root sees `log(sigmoid(-z))` rather than the `log(1 - sigmoid(z))` another rule is about to
 * turn into it.
 */
function visit(node: Node, run: PhaseRun): Node {
  const settled = run.shared.settled;
  const reached = settled.get(node);
  if (reached !== undefined && reached >= run.since) {
    if (reached !== run.pass) settled.set(node, run.pass);
    return node;
  }
  run.work.visits++;
  const candidates = rulesFor(node.op, run);
  for (let i = 0; i < candidates.length; i++) {
    run.work.attempts++;
    const fired = tryRule(candidates[i]!, node, run);
    if (fired === null) continue;
    const { firings, phase } = run;
    firings.push(fired);
    if (--run.left < 0) {
      const recent = [...new Set(firings.slice(-20).map((f) => f.rule))].join(', ');
      throw new RewriteError(`rules keep firing at '${run.at!.path}' in phase '${phase.name}': ${recent}`);
    }
    return settle(fired.replacement, node.id, run, new Map());
  }
  settled.set(node, run.pass);
  return node;
}

/** Visits the nodes of `node` newer than `boundary` (those a replacement created), bottom-up. */
function settle(node: Node, boundary: number, run: PhaseRun, done: Map<Node, Node>): Node {
  if (node.id <= boundary) {
    // An older node: one this pass reached (a capture), or one from elsewhere.
    if (run.shared.settled.get(node) !== run.pass) run.clean = false;
    return node;
  }
  const known = done.get(node);
  if (known !== undefined) return known;
  const inputs = node.inputs;
  for (let i = 0; i < inputs.length; i++) settle(inputs[i]!, boundary, run, done);
  const rebuilt = rebuild(node, done);
  const result = visit(rebuilt, run);
  done.set(node, result);
  if (result === rebuilt && run.kept !== undefined) {
    // Not merged with an equal node in this pass: the next would merge them.
    const key = keyOf(result, run.shared.keys);
    if (key !== undefined) {
      const walked = run.kept.get(key);
      const made = run.inner.get(key);
      if (made === undefined) run.inner.set(key, result);
      if ((walked !== undefined && walked !== result) || (made !== undefined && made !== result)) run.clean = false;
    }
  }
  return result;
}

/** Constants with at most this many elements take part in common-subexpression elimination. */
const CSE_CONSTANT_LIMIT = 1024;

/** The structural key of `node`, computed once per node. */
function keyOf(node: Node, keys: Map<Node, string | null>): string | undefined {
  const known = keys.get(node);
  if (known !== undefined) return known ?? undefined;
  const key = structuralKey(node);
  keys.set(node, key ?? null);
  return key;
}

/**
 * What makes two nodes compute the same value: op, dtype, static shape, the input nodes
 * (by id; inputs are already merged) and the attributes; for a small constant, its data.
 * Inputs and params are never merged (each is its own source of values).
 */
function structuralKey(node: Node): string | undefined {
  const op = node.op;
  if (op === 'input' || op === 'param') return undefined;
  const type = `${node.dtype} ${shapeKey(node.shape)}`;
  if (op === 'constant') {
    const data = node.value?.data;
    if (data === undefined || data.length > CSE_CONSTANT_LIMIT) return undefined;
    return `constant ${type} ${Array.from(data, exactNumber).join(',')}`;
  }
  const inputs = node.inputs;
  let ids = inputs.length === 0 ? '' : String(inputs[0]!.id);
  for (let i = 1; i < inputs.length; i++) ids += `,${inputs[i]!.id}`;
  return `${op} ${type} ${ids} ${attrsKey(node.attrs)}`;
}

/** The shape as JSON (written out directly for the usual shapes of numbers). */
function shapeKey(shape: Shape): string {
  if (shape.length === 0) return '[]';
  for (let i = 0; i < shape.length; i++) if (typeof shape[i] !== 'number') return JSON.stringify(shape);
  return `[${shape.join(',')}]`;
}

/** The attributes as JSON, numbers printed exactly (JSON would turn Infinity and NaN into null, and -0 into 0). */
function attrsKey(attrs: Attrs): string {
  for (const _ in attrs) return JSON.stringify(attrs, (_key, value: unknown) => (typeof value === 'number' ? `#${exactNumber(value)}` : value));
  return '{}';
}

function exactNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * A firing record: plain data, plus the two nodes as non-enumerable properties so that tools
 * can draw them while `JSON.stringify(report)` stays plain data. `before` and `after` are
 * printed when first read, since most reports are never printed and a large rewrite fires
 * thousands of times: they are enumerable getters, so `JSON.stringify`, spreading and every
 * reader see plain strings, the same each time (the nodes are immutable). The four accessors
 * share their descriptors, which keeps a record as cheap to make as a plain object.
 */
class FiringRecord implements Firing {
  declare readonly phase: string;
  declare readonly rule: string;
  declare readonly doc: string;
  declare readonly path: string;
  declare readonly scope: readonly string[];
  declare readonly before: string;
  declare readonly after: string;
  declare readonly captures: { readonly [name: string]: string };
  declare readonly matched: Node;
  declare readonly replacement: Node;
  #matched: Node;
  #replacement: Node;
  /** The captured nodes and the names they print as (parallel lists). */
  #captured: readonly Node[];
  #names: readonly string[];
  #before: string | undefined;
  #after: string | undefined;

  constructor(
    phase: string, rule: string, doc: string, matched: Node, replacement: Node,
    captured: readonly Node[], names: readonly string[], captures: Firing['captures'], after?: string,
  ) {
    // Enumerable properties in the order of the Firing interface (JSON keeps it).
    this.phase = phase;
    this.rule = rule;
    this.doc = doc;
    this.path = matched.path;
    this.scope = matched.scope;
    Object.defineProperties(this, FiringRecord.accessors);
    this.captures = captures;
    this.#matched = matched;
    this.#replacement = replacement;
    this.#captured = captured;
    this.#names = names;
    this.#after = after;
  }

  /** Node's `console.log` shows the strings, as for a plain object (not `[Getter]`). */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { ...this };
  }

  static readonly accessors: PropertyDescriptorMap = {
    before: { enumerable: true, get(this: FiringRecord) { return (this.#before ??= formatExpression(this.#matched, this.#printNames())); } },
    after: { enumerable: true, get(this: FiringRecord) { return (this.#after ??= formatExpression(this.#replacement, this.#printNames())); } },
    matched: { enumerable: false, get(this: FiringRecord) { return this.#matched; } },
    replacement: { enumerable: false, get(this: FiringRecord) { return this.#replacement; } },
  };

  #printNames(): Map<Node, string> {
    const names = new Map<Node, string>();
    for (let i = 0; i < this.#captured.length; i++) names.set(this.#captured[i]!, this.#names[i]!);
    return names;
  }
}

const NOTHING_CAPTURED: readonly never[] = [];

function sameAs(duplicate: Node, earlier: Node, phase: string): Firing {
  return new FiringRecord(
    phase, 'common-subexpression', 'an expression computed twice is computed once and shared', duplicate, earlier,
    NOTHING_CAPTURED, NOTHING_CAPTURED, { kept: earlier.path }, 'kept',
  );
}

function tryRule(candidate: Candidate, root: Node, run: PhaseRun): Firing | null {
  // The first match the guard accepts: it may reject one order of a commutative op and accept the other.
  const m = firstMatch(candidate.rule.pattern, root, candidate.accept);
  // The closure of a firing lives in `fire`: a function that makes a closure allocates its
  // context at every call, and most attempts match nothing.
  return m === null ? null : fire(candidate.rule, m, root, run);
}

function fire(rule: RewriteRule, m: Match, root: Node, run: PhaseRun): Firing | null {
  const built = withScopePath(root.scope, () => rule.replace(m));
  if (built === root) return null;
  checkReplacement(rule, root, built);
  // Nodes the rule created are newer than the root; a captured node it returned is older.
  const replacement = built.id > root.id && built.name !== root.name ? renamed(built, root.name) : built;
  // Each captured node once, in the order first bound, with the last name that bound it.
  const captured: Node[] = [];
  const names: string[] = [];
  for (const key in m) {
    const value = m[key];
    if (!(value instanceof Node) || key === '$root') continue;
    const at = captured.indexOf(value);
    if (at < 0) {
      captured.push(value);
      names.push(key);
    } else {
      names[at] = key;
    }
  }
  const captures: Record<string, string> = {};
  for (let i = 0; i < captured.length; i++) captures[names[i]!] = captured[i]!.path;
  return new FiringRecord(run.phase.name, rule.name, rule.doc, root, replacement, captured, names, captures);
}

/** The node with its inputs replaced as `replaced` says (itself when none was replaced). */
function rebuild(node: Node, replaced: ReadonlyMap<Node, Node>): Node {
  let same = true;
  for (let i = 0; i < node.inputs.length && same; i++) {
    const input = node.inputs[i]!;
    same = (replaced.get(input) ?? input) === input;
  }
  if (same) return node;
  // A loop, not `map` with a closure: the closure's context would be allocated at every call.
  const inputs: Node[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const input = node.inputs[i]!;
    inputs.push(replaced.get(input) ?? input);
  }
  const type = inferFor(opDef(node.op), inputs, node.attrs, `${node.op} '${node.path}'`);
  return new Node({ op: node.op, inputs, attrs: node.attrs, shape: type.shape, dtype: type.dtype, name: node.name, scope: node.scope, value: node.value });
}

function renamed(node: Node, name: string): Node {
  return new Node({ op: node.op, inputs: node.inputs, attrs: node.attrs, shape: node.shape, dtype: node.dtype, name, scope: node.scope, value: node.value });
}

function checkReplacement(rule: RewriteRule, root: Node, built: Node): void {
  const fits = built.dtype === root.dtype && mayBeSameShape(built.shape, root.shape);
  if (!fits) throw new RewriteError(`rule '${rule.name}' replaced ${root} with ${built}: the shape or dtype differs`);
}
