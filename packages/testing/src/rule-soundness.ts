/**
 * Soundness of rewrite rules: every rule is a semantic claim (the rewritten graph means what the
 * original meant, with the same shape and dtype, and rewriting a valid graph never throws), so
 * the claim is tested on graphs the rule's own pattern matches (`ruleCandidates`: the pattern
 * instantiated at random, and the rule's examples mutated, which is what catches a rule that
 * takes two captures for the same value or ignores a broadcast). Values are compared with the
 * high-precision reference (60 digits, 400 where the two disagree) on random feeds.
 *
 * The kit depends on core only: a rule is read structurally (any `@stablegrad/rewrite` rule
 * fits `SoundnessRule`), and the rewriting itself is passed in (`applyRule`, `applyAll`).
 * @module
 */
import { apply, constant, evaluate, FeedError, type Node, opDef, sameWrittenShape, StablegradError, tensor, topoSort, ValueError } from '@stablegrad/core';
import { createDecimalMath } from './decimal-math.js';
import { type ReferenceResult, referenceEvaluate } from './reference.js';
import { Random } from './random.js';
import { type FloatDType, hashOf, ruleCandidates, type SoundnessRule } from './rule-candidates.js';
import { ulpDistance } from './ulp.js';

/**
 * What a rule claims beyond "same meaning": rules that drop a stability guard on purpose are
 * compared with the graph they claim to equal (`claim`, e.g. the original without its clips and
 * epsilons); rules that may raise a ValueError where the original gave a value (labels outside
 * [0, k)) say so with `mayRaise`.
 * @example
 * ```ts
 * const semantics: RuleSemantics = { claim: withoutGuards, mayRaise: false };
 * ```
 */
export interface RuleSemantics {
  /**
   * The graphs the rewrite is claimed to equal, besides the original (each element of the
   * result must match the original or one of them), e.g. the original with some of its guards
   * removed.
   */
  readonly claim?: (original: Node) => readonly Node[];
  /** The rewritten graph may throw a ValueError where the original does not. */
  readonly mayRaise?: boolean;
  /**
   * Feeds stay within [-feedLimit, feedLimit]: for graphs whose original's reference is itself
   * approximate beyond some input (tanh's reference is exactly +-1 beyond |x| = 100, so
   * `1 + tanh(x)` is 0 there at any precision).
   */
  readonly feedLimit?: number;
}

/**
 * Options of `checkRuleSoundness`.
 * @example
 * ```ts
 * checkRuleSoundness(rule, { applyRule: (root) => ..., candidates: 40, seed: 7 });
 * ```
 */
export interface SoundnessOptions {
  /** Applies the rule alone to `root`'s graph: the rewritten root, or null where it did not fire. May throw (a finding). */
  readonly applyRule: (root: Node) => Node | null;
  /** Optionally the whole rewrite pipeline: the rewritten root and the rules that fired. */
  readonly applyAll?: (root: Node) => { readonly graph: Node; readonly rules: readonly string[] };
  /** Semantics of rules that change values on purpose, by rule name (the pipeline check looks up every rule that fired). */
  readonly semantics?: (ruleName: string) => RuleSemantics | undefined;
  /**
   * Turns an example graph into the form the rule sees in its pipeline (e.g. the earlier phases
   * and the rule's own phase without the rule: `a - b` canonical as `a + (-b)`); examples are
   * mutated both as written and as prepared.
   */
  readonly prepareExample?: (graph: Node) => readonly Node[];
  /** Candidates to generate (default 40): half from the pattern, half mutated examples. */
  readonly candidates?: number;
  /** Graphs to check besides the generated ones (regression counterexamples). */
  readonly given?: readonly Node[];
  /**
   * Keep generating batches of `candidates` (with other seeds, up to 4 batches) until the rule
   * has fired this many times (default 0: one batch).
   */
  readonly minFired?: number;
  /** Feeds per candidate (default 3). */
  readonly feeds?: number;
  readonly seed?: number;
  /** ULP allowed between the two references (default 4: constant folding rounds constants). */
  readonly ulp?: number;
}

/**
 * One finding.
 * @example
 * ```ts
 * `${p.rule} (${p.kind}): ${p.message}\n  ${p.graph}`
 * ```
 */
export interface SoundnessProblem {
  readonly rule: string;
  /** `throws`: rewriting threw; `type`: shape or dtype changed; `value`: a different value; the `pipeline-` ones for the whole pipeline. */
  readonly kind: 'throws' | 'type' | 'value' | 'pipeline-throws' | 'pipeline-type' | 'pipeline-value';
  readonly message: string;
  /** The candidate, printed with its leaves' shapes and dtypes. */
  readonly graph: string;
  readonly rewritten?: string;
  readonly origin: string;
  readonly feeds?: string;
}

/**
 * What `checkRuleSoundness` found for one rule.
 * @example
 * ```ts
 * const r = checkRuleSoundness(rule, options);
 * expect(r.problems).toEqual([]); expect(r.fired).toBeGreaterThan(3);
 * ```
 */
export interface SoundnessReport {
  readonly rule: string;
  /** Valid candidates generated. */
  readonly generated: number;
  /** Candidates the rule fired on. */
  readonly fired: number;
  /** Of those, candidates compared on at least one feed. */
  readonly checked: number;
  /** Element comparisons skipped: the original's reference not finite, or not stable in precision. */
  readonly inconclusive: number;
  readonly problems: readonly SoundnessProblem[];
}

// ---------------------------------------------------------------- feeds and comparison

/**
 * `node` with every subterm computed from constants alone replaced by its float value (what
 * constant folding claims: the folded constant is what the kernels compute, rounded to the dtype).
 * @example
 * ```ts
 * withFoldedConstants(sub(1, sigmoid(constant(3, { dtype: 'float64' })))); // the constant 0.04742587317756678
 * ```
 */
export function withFoldedConstants(node: Node): Node {
  const memo = new Map<Node, Node>();
  for (const n of topoSort([node])) {
    const inputs = n.inputs.map((i) => memo.get(i)!);
    const rebuilt = inputs.every((i, k) => i === n.inputs[k]) ? n : apply(opDef(n.op), inputs, n.attrs, { name: n.name });
    let out = rebuilt;
    if (inputs.length > 0 && inputs.every((i) => i.op === 'constant')) {
      try {
        out = constant(evaluate(rebuilt), { dtype: rebuilt.dtype });
      } catch {
        out = rebuilt;
      }
    }
    memo.set(n, out);
  }
  return memo.get(node)!;
}

/**
 * Prints `node` in call syntax with each leaf's shape and dtype: `mul(-1:[2,3]f32, x:[1,3]f32)`.
 * @example
 * ```ts
 * describeCandidate(mul(constant(-1), input([3], { name: 'x' }))); // 'mul(-1:[]f32, x:[3]f32)'
 * ```
 */
export function describeCandidate(node: Node): string {
  const ids = new Map<Node, number>();
  const shared = new Set<Node>();
  for (const n of topoSort([node])) for (const i of n.inputs) if (ids.has(i)) shared.add(i); else ids.set(i, ids.size);
  const type = (n: Node) => `[${n.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]${n.dtype === 'float32' ? 'f32' : n.dtype === 'float64' ? 'f64' : 'i32'}`;
  const print = (n: Node, depth: number): string => {
    const tag = shared.has(n) && n.op !== 'input' ? `#${n.id}=` : '';
    if (n.op === 'input' || n.op === 'param') return `${n.name}#${n.id}:${type(n)}`;
    if (n.op === 'constant') {
      const data = Array.from(n.value!.data);
      const value = data.every((v) => v === data[0]) ? String(data[0]) : JSON.stringify(data.slice(0, 6));
      return `${tag}${value}:${type(n)}`;
    }
    if (depth > 12) return '…';
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${tag}${n.op}${attrs.length > 0 ? `{${attrs.join(', ')}}` : ''}(${n.inputs.map((i) => print(i, depth + 1)).join(', ')})`;
  };
  return print(node, 0);
}

type FeedMap = Map<Node, ReturnType<typeof tensor>>;

/** Random feeds for `nodes`' inputs: moderate values mostly, wide or extreme ones sometimes. */
function randomFeeds(nodes: readonly Node[], rng: Random, batch: number, regime: number, limit: number): FeedMap {
  const feeds: FeedMap = new Map();
  for (const n of nodes) {
    if (n.op !== 'input') continue;
    const shape = n.shape.map((d) => (typeof d === 'number' ? d : batch));
    const size = shape.reduce((a, d) => a * d, 1);
    const value = (): number => {
      if (n.dtype === 'int32') return regime === 2 && rng.chance(0.2) ? rng.pick([-1, 3, 7]) : rng.int(2);
      const r = rng.next();
      if (r < 0.15) return rng.pick([0, 1, -1, 0.5, 2]);
      if (regime === 0) return Math.round((rng.next() * 6 - 3) * 1e4) / 1e4;
      if (regime === 1) return rng.next() * 60 - 30;
      return rng.pick([1, -1]) * rng.pick([1e-30, 1e-8, 40, 120, 800, 1e5]) * (1 + rng.next());
    };
    const bounded = (): number => {
      const v = value();
      return Math.abs(v) <= limit ? v : Math.sign(v) * limit * rng.next();
    };
    feeds.set(n, tensor(Array.from({ length: size }, bounded), { dtype: n.dtype, shape }));
  }
  return feeds;
}

function describeFeedMap(feeds: FeedMap): string {
  return [...feeds].map(([n, t]) => `${n.name}#${n.id}=[${Array.from(t.data).join(', ')}] (${t.shape.join('x') || 'scalar'})`).join('; ');
}

const SUBNORMAL_FLOOR: Record<FloatDType, number> = { float32: 16 * 2 ** -149, float64: 16 * Number.MIN_VALUE };
const PRECISE = createDecimalMath(400);

function close(a: number, b: number, dtype: FloatDType, tol: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return ulpDistance(a, b, dtype) <= tol || Math.abs(a - b) <= SUBNORMAL_FLOOR[dtype];
}

/** The comparison of one pair of graphs on one feed. */
type Verdict =
  | { readonly kind: 'skip' }
  | { readonly kind: 'ok'; readonly inconclusive: number }
  | { readonly kind: 'bad'; readonly message: string };

/**
 * Compares the references of `claims` (graphs the rewrite may equal; the first is the original)
 * and `rewritten` on `feeds`: `skip` when the original cannot be evaluated there (labels out of
 * range, a batch size that does not fit), `bad` when an element differs where the original's
 * reference is finite and stable in precision.
 */
function compareOn(claims: readonly Node[], rewritten: Node, feeds: FeedMap, tol: number, mayRaise: boolean): Verdict {
  let refs: ReferenceResult[];
  try {
    // A graph the float interpreter refuses at run time (a label out of range, a batch size
    // that does not broadcast) is not a valid point to compare at.
    evaluate(claims[0]!, feeds);
    refs = claims.map((c) => referenceEvaluate(c, feeds));
  } catch (e) {
    if (e instanceof StablegradError) return { kind: 'skip' };
    throw e;
  }
  let got: ReferenceResult;
  try {
    got = referenceEvaluate(rewritten, feeds);
  } catch (e) {
    if (mayRaise && e instanceof ValueError) return { kind: 'ok', inconclusive: 0 };
    if (e instanceof FeedError) return { kind: 'bad', message: `the rewritten graph cannot be fed what the original was: ${(e as Error).message}` };
    return { kind: 'bad', message: `the rewritten graph throws where the original does not: ${String(e)}` };
  }
  const original = refs[0]!;
  if (original.shape.join() !== got.shape.join() || original.dtype !== got.dtype) {
    return { kind: 'bad', message: `run-time shape ${JSON.stringify(got.shape)} ${got.dtype}, the original's ${JSON.stringify(original.shape)} ${original.dtype}` };
  }
  if (original.dtype === 'int32') {
    const i = original.values.findIndex((v, k) => v !== got.values[k]);
    return i < 0 ? { kind: 'ok', inconclusive: 0 } : { kind: 'bad', message: `element ${i}: rewritten ${got.values[i]}, original ${original.values[i]}` };
  }
  const dtype = original.dtype as FloatDType;
  const agrees = (vals: readonly (readonly number[])[], r: readonly number[], i: number) => vals.some((v) => !Number.isFinite(v[i]!) || close(v[i]!, r[i]!, dtype, tol));
  const values = refs.map((r) => r.values);
  const wrong = got.values.map((_, i) => i).filter((i) => !agrees(values, got.values, i));
  const inconclusive = original.values.filter((v) => !Number.isFinite(v)).length;
  if (wrong.length === 0) return { kind: 'ok', inconclusive };
  // 60 digits may not be enough (1 + 1e-300 - 1): recompute at 400 and drop elements that move.
  const precise = claims.map((c) => referenceEvaluate(c, feeds, { math: PRECISE }).values);
  const preciseGot = referenceEvaluate(rewritten, feeds, { math: PRECISE }).values;
  const stable = (i: number) => close(preciseGot[i]!, got.values[i]!, dtype, 0) && precise.every((v, k) => close(v[i]!, values[k]![i]!, dtype, 0));
  const still = wrong.filter((i) => stable(i) && !agrees(precise, preciseGot, i));
  if (still.length === 0) return { kind: 'ok', inconclusive: inconclusive + wrong.length };
  const i = still[0]!;
  const others = claims.length > 1 ? ` (unguarded original ${precise.slice(1).map((v) => v[i]).join(', ')})` : '';
  return {
    kind: 'bad',
    message: `element ${i} of ${got.values.length}: rewritten ${preciseGot[i]}, original ${precise[0]![i]}${others}, ${ulpDistance(preciseGot[i]!, precise[0]![i]!, dtype)} ULP apart (allowed ${tol})`,
  };
}

function sameStaticType(a: Node, b: Node): boolean {
  return a.dtype === b.dtype && sameWrittenShape(a.shape, b.shape);
}

/** Compares on several feeds; the first `bad` verdict, or how many feeds were compared. */
function compareGraphs(
  claims: readonly Node[], rewritten: Node, rng: Random, count: number, tol: number, mayRaise: boolean, limit: number,
): { compared: number; inconclusive: number; bad?: { message: string; feeds: string } } {
  const nodes = topoSort([...claims, rewritten]);
  let compared = 0;
  let inconclusive = 0;
  for (let k = 0; k < count * 3 && compared < count; k++) {
    const feeds = randomFeeds(nodes, rng, rng.pick([2, 3, 1]), k === 0 ? 0 : rng.pick([0, 0, 1, 2]), limit);
    const verdict = compareOn(claims, rewritten, feeds, tol, mayRaise);
    if (verdict.kind === 'skip') continue;
    compared++;
    if (verdict.kind === 'bad') return { compared, inconclusive, bad: { message: verdict.message, feeds: describeFeedMap(feeds) } };
    inconclusive += verdict.inconclusive;
  }
  return { compared, inconclusive };
}

/**
 * Checks `rule` on generated candidates (see `ruleCandidates`): applying it alone must not throw
 * on a valid graph, must keep the static shape and dtype, and must keep the value (references
 * within `ulp` wherever the original's is finite and stable in precision; rules with declared
 * `semantics` are compared with the graph they claim to equal). With `applyAll`, the whole
 * pipeline is checked the same way on every candidate.
 * @example
 * ```ts
 * const report = checkRuleSoundness(myRule, {
 *   applyRule: (root) => {
 *     const { graph, report } = rewrite({ out: root }, [{ name: 'single', rules: [myRule] }]);
 *     return report.firings.length > 0 ? graph.outputs[0]! : null;
 *   },
 * });
 * expect(report.problems).toEqual([]);
 * ```
 */
export function checkRuleSoundness(rule: SoundnessRule, options: SoundnessOptions): SoundnessReport {
  const seed = options.seed ?? 20240611;
  const tol = options.ulp ?? 4;
  const feedCount = options.feeds ?? 3;
  const rng = new Random(seed ^ hashOf(`${rule.name} feeds`));
  const batch = (k: number) => ruleCandidates(rule, {
    count: options.candidates ?? 40, seed: seed + k * 7919, ...(options.prepareExample !== undefined ? { prepareExample: options.prepareExample } : {}),
    fires: (graph) => options.applyRule(graph) !== null,
  });
  let generated = 0;
  const problems: SoundnessProblem[] = [];
  let fired = 0;
  let checked = 0;
  let inconclusive = 0;
  const semanticsOf = (name: string): RuleSemantics => options.semantics?.(name) ?? {};
  // Each rule with a claim adds its claimed graphs for every graph claimed so far (so guards
  // dropped and constants folded in one pipeline run combine), up to 64 graphs.
  const claimsFor = (original: Node, rules: readonly string[]): Node[] => {
    let claims = [original];
    for (const name of new Set(rules)) {
      const claim = semanticsOf(name).claim;
      if (claim !== undefined) claims = [...claims, ...claims.flatMap((c) => claim(c))].slice(0, 64);
    }
    return claims;
  };
  const limitOf = (rules: readonly string[]) => Math.min(Infinity, ...rules.map((r) => semanticsOf(r).feedLimit ?? Infinity));
  for (let k = 0; k < 4 && (k === 0 || fired < (options.minFired ?? 0)); k++) {
    const given = k === 0 ? (options.given ?? []).map((graph) => ({ graph, origin: 'given' })) : [];
    const candidates = [...given, ...(options.candidates === 0 ? [] : batch(k))];
    generated += candidates.length;
    for (const { graph, origin } of candidates) {
      const report = (kind: SoundnessProblem['kind'], message: string, extra: { rewritten?: Node; feeds?: string } = {}) => {
        problems.push({
          rule: rule.name, kind, message, graph: describeCandidate(graph), origin,
          ...(extra.rewritten ? { rewritten: describeCandidate(extra.rewritten) } : {}), ...(extra.feeds ? { feeds: extra.feeds } : {}),
        });
      };
      let rewritten: Node | null;
      try {
        rewritten = options.applyRule(graph);
      } catch (e) {
        report('throws', String(e));
        continue;
      }
      if (rewritten !== null) {
        fired++;
        if (!sameStaticType(graph, rewritten)) {
          report('type', `static type ${JSON.stringify(rewritten.shape)} ${rewritten.dtype}, the original's ${JSON.stringify(graph.shape)} ${graph.dtype}`, { rewritten });
        } else {
          const semantics = semanticsOf(rule.name);
          const result = compareGraphs(claimsFor(graph, [rule.name]), rewritten, rng, feedCount, tol, semantics.mayRaise ?? false, limitOf([rule.name]));
          if (result.compared > 0) checked++;
          inconclusive += result.inconclusive;
          if (result.bad) report('value', result.bad.message, { rewritten, feeds: result.bad.feeds });
        }
      }
      if (options.applyAll === undefined) continue;
      let all: { readonly graph: Node; readonly rules: readonly string[] };
      try {
        all = options.applyAll(graph);
      } catch (e) {
        report('pipeline-throws', String(e));
        continue;
      }
      if (all.rules.length === 0) continue;
      if (!sameStaticType(graph, all.graph)) {
        report('pipeline-type', `static type ${JSON.stringify(all.graph.shape)} ${all.graph.dtype} after ${all.rules.join(', ')}`, { rewritten: all.graph });
        continue;
      }
      const mayRaise = all.rules.some((r) => semanticsOf(r).mayRaise === true);
      const result = compareGraphs(claimsFor(graph, all.rules), all.graph, rng, 1, tol, mayRaise, limitOf(all.rules));
      if (result.bad) report('pipeline-value', `${result.bad.message}; rules fired: ${[...new Set(all.rules)].join(', ')}`, { rewritten: all.graph, feeds: result.bad.feeds });
    }
  }
  return { rule: rule.name, generated, fired, checked, inconclusive, problems };
}

/**
 * A problem as readable text: rule, kind, message, the candidate, its rewrite and the feeds.
 * @example
 * ```ts
 * console.log(report.problems.map(formatSoundnessProblem).join('\n\n'));
 * ```
 */
export function formatSoundnessProblem(p: SoundnessProblem): string {
  return [
    `${p.rule} [${p.kind}] (${p.origin}): ${p.message}`,
    `  candidate: ${p.graph}`,
    ...(p.rewritten !== undefined ? [`  rewritten: ${p.rewritten}`] : []),
    ...(p.feeds !== undefined ? [`  feeds: ${p.feeds}`] : []),
  ].join('\n');
}
