/**
 * Candidate graphs for checking a rewrite rule (see `checkRuleSoundness`): the rule's pattern
 * instantiated with random operands (fresh inputs, small expressions, constants, probability
 * outputs, and the same node, an equal copy or a term built on an operand already built, so
 * that "same value, different node" cases occur), random valid attributes, shapes with size-1,
 * broadcast and symbolic `batch` dimensions, and both float dtypes; and the rule's examples
 * mutated: each shared node copied for one use with an attribute or constant inside the copy
 * changed, a scalar constant made the larger broadcasting operand, then random mutations (a
 * leaf swapped for an independent input or given a broadcasting shape, the dtype changed).
 * Graphs that cannot be built (ShapeError, DTypeError) are skipped.
 * @module
 */
import {
  type AttrValue, type Attrs, constant, type DType, type Dim, input, type Node, opDef, type OpName, type Shape, StablegradError,
  tensor, topoSort, apply,
} from '@stablegrad/core';
import { Random } from './random.js';

/**
 * A rule pattern, read structurally: `@stablegrad/rewrite`'s `Pattern` fits it (captures, op
 * patterns with attribute constraints, constants within a tolerance).
 * @example
 * ```ts
 * const pattern: SoundnessPattern = P.log(P.sigmoid(v('z'))); // P and v from @stablegrad/rewrite
 * ```
 */
export type SoundnessPattern =
  | {
    readonly kind: 'capture'; readonly name: string;
    /** The predicate a captured node must pass, if any. */
    readonly test: ((node: Node) => boolean) | undefined;
  }
  | {
    readonly kind: 'op'; readonly ops: readonly OpName[]; readonly inputs: readonly SoundnessPattern[];
    readonly attrs: { readonly [name: string]: AttrValue | { readonly kind: 'attr'; readonly name: string } }; readonly bind: string | undefined;
  }
  | { readonly kind: 'const'; readonly value: number; readonly tolerance: number; readonly bind: string | undefined };

/**
 * What the harness needs of a rule: its name, pattern and example graphs (any `RewriteRule` fits).
 * @example
 * ```ts
 * const r: SoundnessRule = stabilizeRules[0]!;
 * ```
 */
export interface SoundnessRule {
  readonly name: string;
  readonly pattern: SoundnessPattern;
  readonly examples: readonly {
    /** Builds the example graph (mutated into candidates). */
    readonly before: () => Node;
  }[];
}

/**
 * A graph the harness built for a rule, and how.
 * @example
 * ```ts
 * ruleCandidates(rule, { count: 20, seed: 1 }).map((c) => c.origin); // ['pattern', 'example 0: unshare + attrs', ...]
 * ```
 */
export interface RuleCandidate {
  readonly graph: Node;
  readonly origin: string;
}

// ---------------------------------------------------------------- randomness

/** Thrown while building a candidate that cannot be built (it is skipped, not reported). */
class Discard extends Error {}

export type FloatDType = 'float32' | 'float64';

// ---------------------------------------------------------------- pattern instantiation

interface Builder {
  readonly rng: Random;
  readonly dtype: FloatDType;
  readonly base: Shape;
  /** Nodes built so far for this candidate: later captures may reuse, copy or wrap them. */
  readonly pool: Node[];
  readonly bound: Map<string, Node>;
  readonly attrs: Map<string, AttrValue>;
  names: number;
}

/** What a consumer wants of an operand. */
interface Hint {
  readonly dtype?: DType;
  readonly shape?: Shape;
}

const BASES: readonly Shape[] = [[3], [2, 3], [1, 3], [2, 1], ['batch', 3], [2, 2, 3], [], [3, 1], ['batch', 2]];
const SPECIAL_CONSTANTS = [1, -1, 0, 2, -2, 0.5, 1e-7, Math.fround(1e-7), 1e-3, 1 + 1e-7, 3, -0.25];
const EPSILONS = [1e-7, Math.fround(1e-7), 1e-3];

/** A shape that broadcasts with `base`: itself mostly, else a size-1 dimension, a dropped or added leading one, a scalar. */
function variantOf(base: Shape, rng: Random): Shape {
  const r = rng.next();
  if (r < 0.45 || base.length === 0) return r > 0.9 ? [] : base;
  if (r < 0.7) {
    const at = rng.int(base.length);
    return base.map((d, i) => (i === at ? 1 : d));
  }
  if (r < 0.8) return base.slice(1);
  if (r < 0.9) return [rng.pick<Dim>([1, 'batch', 2]), ...base];
  return [];
}

function freshInput(b: Builder, shape: Shape, dtype: DType): Node {
  const name = dtype === 'int32' ? `i${b.names++}` : `x${b.names++}`;
  return input(shape, { name, dtype });
}

function randomConstant(b: Builder, shape: Shape, dtype: DType, value?: number): Node {
  const concrete = shape.every((d): d is number => typeof d === 'number') ? shape : [];
  const size = concrete.reduce((n, d) => n * d, 1);
  const v = value ?? (b.rng.chance(0.7) ? b.rng.pick(SPECIAL_CONSTANTS) : Math.round((b.rng.next() * 8 - 4) * 100) / 100);
  const data = Array.from({ length: size }, () => (dtype === 'int32' ? Math.round(v) : v));
  return constant(tensor(data, { dtype, shape: concrete }), { dtype });
}

/**
 * A structurally equal copy of `node` (same value, new nodes; inputs and params stay shared).
 * @example
 * ```ts
 * const e = exp(x);
 * copyTerm(e) === e;           // false: a new exp node
 * copyTerm(e).inputs[0] === x; // true: the input is shared
 * ```
 */
export function copyTerm(node: Node): Node {
  if (node.op === 'input' || node.op === 'param') return node;
  if (node.op === 'constant') return constant(node.value!, { dtype: node.dtype, name: node.name });
  return apply(opDef(node.op), node.inputs.map(copyTerm), node.attrs, { name: node.name });
}

function probabilityOf(b: Builder, shape: Shape): Node {
  const z = freshInput(b, shape, b.dtype);
  const r = b.rng.next();
  let p = r < 0.5 || shape.length === 0 ? sigmoidOf(z) : apply(opDef('softmax'), [z], { axis: b.rng.int(shape.length) });
  if (b.rng.chance(0.4)) {
    const eps = b.rng.pick(EPSILONS);
    p = apply(opDef('clip'), [p], { lo: eps, hi: 1 - eps });
  }
  return p;
}

const sigmoidOf = (z: Node): Node => apply(opDef('sigmoid'), [z], {});

const UNARY: readonly OpName[] = ['exp', 'neg', 'log', 'sigmoid', 'square', 'abs', 'tanh', 'softplus', 'logSigmoid'];
const BINARY: readonly OpName[] = ['add', 'mul', 'sub', 'div', 'maximum'];
const WRAPPERS: readonly OpName[] = ['exp', 'neg', 'log', 'sigmoid', 'sum', 'max', 'mean', 'softmax', 'logSoftmax', 'reshape', 'transpose', 'expandDims'];

/** A random operand for a capture. */
function randomTerm(b: Builder, hint: Hint): Node {
  const shape = hint.shape ?? variantOf(b.base, b.rng);
  if (hint.dtype === 'int32') return freshInput(b, shape, 'int32');
  const dtype = hint.dtype ?? b.dtype;
  const r = b.rng.next();
  const pool = b.pool.filter((n) => n.dtype === dtype);
  if (r < 0.35 || (pool.length === 0 && r < 0.6)) return freshInput(b, shape, dtype);
  if (r < 0.6) {
    // the same node, an equal copy, or a term built on it: what guards comparing operands must tell apart
    const n = b.rng.pick(pool);
    const s = b.rng.next();
    if (s < 0.4) return n;
    if (s < 0.65) return copyTerm(n);
    const wrapper = b.rng.pick(WRAPPERS);
    return apply(opDef(wrapper), [n], randomAttrs(wrapper, [n], b));
  }
  if (r < 0.7) {
    const x = freshInput(b, shape, dtype);
    if (b.rng.chance(0.5)) return apply(opDef(b.rng.pick(UNARY)), [x], {});
    return apply(opDef(b.rng.pick(BINARY)), [x, freshInput(b, variantOf(shape, b.rng), dtype)], {});
  }
  if (r < 0.85) return randomConstant(b, b.rng.chance(0.7) ? [] : shape, dtype);
  const p = probabilityOf(b, shape);
  if (p.shape.length === 0 || !b.rng.chance(0.3)) return p;
  const move = b.rng.pick<OpName>(['reshape', 'transpose', 'expandDims']);
  return apply(opDef(move), [p], randomAttrs(move, [p], b));
}

function subset(rank: number, rng: Random): number[] {
  if (rank === 0) return [];
  const all = Array.from({ length: rank }, (_, i) => i);
  if (rng.chance(0.3)) return all;
  const picked = all.filter(() => rng.chance(0.5));
  return picked.length > 0 ? picked : [rng.int(rank)];
}

function permutation(rank: number, rng: Random): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

/** Valid-looking random attributes of `op` for these inputs (the op's shape rule has the last word). */
function randomAttrs(op: OpName, inputs: readonly Node[], b: Builder): Attrs {
  const { rng } = b;
  const x = inputs[0];
  const rank = x?.shape.length ?? 0;
  const concrete = x !== undefined && x.shape.every((d): d is number => typeof d === 'number');
  switch (op) {
    case 'sum': case 'mean': case 'max': case 'min': case 'logsumexp':
      return { axes: subset(rank, rng), keepDims: rng.chance(0.5) };
    case 'squeeze':
      return { axes: x!.shape.flatMap((d, i) => (d === 1 ? [i] : [])) };
    case 'softmax': case 'logSoftmax': case 'softmaxCrossEntropyWithLogits': case 'softmaxCrossEntropyGrad': case 'concat':
      return { axis: rng.chance(0.5) ? rank - 1 : rng.int(Math.max(rank, 1)) };
    case 'expandDims':
      return { axis: rng.int(rank + 1) };
    case 'gather': {
      const axis = rng.chance(0.5) ? rank - 1 : rng.int(Math.max(rank, 1));
      return { axis, batchDims: rng.chance(0.5) ? Math.min(axis, (inputs[1]?.shape.length ?? 1) - 0) : 0 };
    }
    case 'transpose':
      return { perm: rng.chance(0.3) ? Array.from({ length: rank }, (_, i) => i) : permutation(rank, rng) };
    case 'reshape': {
      if (!concrete || rng.chance(0.3)) return { shape: [...x!.shape] };
      const size = (x!.shape as number[]).reduce((n, d) => n * d, 1);
      return { shape: rng.pick([[size], [1, size], [size, 1]]) };
    }
    case 'broadcastTo':
      return { shape: [2, ...(x?.shape ?? [])] };
    case 'clip': {
      const r = rng.next();
      if (r < 0.5) {
        const eps = rng.pick(EPSILONS);
        return { lo: eps, hi: rng.chance(0.8) ? 1 - eps : 1 };
      }
      return r < 0.75 ? { lo: 0.1, hi: 0.9 } : { lo: -1, hi: 2 };
    }
    case 'oneHot':
      return { depth: rng.pick([2, 3]), dtype: b.dtype };
    case 'cast':
      return { dtype: rng.pick<DType>(['float32', 'float64']) };
    case 'slice':
      return { begin: x!.shape.map(() => 0), size: x!.shape.map((d) => (typeof d === 'number' ? d : -1)) };
    default: {
      const attrs: Record<string, AttrValue> = {};
      for (const [name, kind] of Object.entries(opDef(op).attrs)) {
        if (kind.endsWith('?')) continue;
        attrs[name] = kind === 'int' ? 0 : kind === 'ints' ? [] : kind === 'bool' ? false : kind === 'number' ? 0 : kind === 'dtype' ? b.dtype : [...(x?.shape ?? [])];
      }
      return attrs;
    }
  }
}

/** What input `index` of `op` should be, given the inputs built before it. */
function hintFor(op: OpName, index: number, before: readonly Node[]): Hint {
  const first = before[0];
  switch (op) {
    case 'gather': return index === 1 ? { dtype: 'int32', shape: first ? first.shape.slice(0, -1) : [2] } : {};
    case 'gatherGrad': return index === 1 ? { dtype: 'int32' } : {};
    case 'oneHot': return { dtype: 'int32' };
    case 'sparseSoftmaxCrossEntropyWithLogits': case 'sparseSoftmaxCrossEntropyGrad':
      return index === 1 ? { dtype: 'int32', ...(first ? { shape: first.shape.slice(0, -1) } : {}) } : {};
    case 'where': return index === 0 ? { dtype: 'int32' } : {};
    case 'softmaxCrossEntropyWithLogits': case 'softmaxCrossEntropyGrad': case 'sigmoidCrossEntropyWithLogits':
      return index === 1 && first ? { shape: first.shape, dtype: first.dtype } : {};
    default: return {};
  }
}

function isAttrCapture(value: unknown): value is { readonly kind: 'attr'; readonly name: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { kind?: unknown }).kind === 'attr';
}

function bindOrCheck(b: Builder, name: string | undefined, node: Node): Node {
  if (name === undefined) return node;
  const bound = b.bound.get(name);
  if (bound !== undefined && bound !== node) throw new Discard(`'${name}' bound twice`);
  b.bound.set(name, node);
  return node;
}

/** A node that `pattern` matches, built bottom-up with random operands. */
function instantiate(pattern: SoundnessPattern, b: Builder, hint: Hint): Node {
  switch (pattern.kind) {
    case 'capture': {
      const bound = b.bound.get(pattern.name);
      if (bound !== undefined) return bound;
      for (let attempt = 0; attempt < 24; attempt++) {
        let node: Node;
        try {
          node = randomTerm(b, hint);
        } catch (e) {
          if (e instanceof StablegradError) continue;
          throw e;
        }
        if (pattern.test !== undefined && !pattern.test(node)) continue;
        b.bound.set(pattern.name, node);
        b.pool.push(node);
        return node;
      }
      throw new Discard(`no operand passes the test of capture '${pattern.name}'`);
    }
    case 'const': {
      const { value, tolerance } = pattern;
      const v = tolerance > 0 && b.rng.chance(0.5) ? value * (1 + tolerance * (b.rng.next() * 2 - 1) * 0.99) : value;
      // a scalar mostly; else a tensor of the base shape, which other operands may broadcast against
      const shape = hint.shape ?? (b.rng.chance(0.5) ? [] : b.rng.chance(0.7) ? b.base : variantOf(b.base, b.rng));
      const node = randomConstant(b, shape, hint.dtype ?? b.dtype, v);
      return bindOrCheck(b, pattern.bind, node);
    }
    case 'op': {
      const op = b.rng.pick(pattern.ops);
      const inputs: Node[] = [];
      pattern.inputs.forEach((p, i) => inputs.push(instantiate(p, b, hintFor(op, i, inputs))));
      const attrs: Record<string, AttrValue> = { ...randomAttrs(op, inputs, b) };
      for (const [name, want] of Object.entries(pattern.attrs)) {
        if (isAttrCapture(want)) {
          const known = b.attrs.get(want.name);
          if (known !== undefined) attrs[name] = known;
          else if (attrs[name] !== undefined) b.attrs.set(want.name, attrs[name]!);
        } else {
          attrs[name] = want;
        }
      }
      const node = apply(opDef(op), inputs, attrs);
      b.pool.push(node);
      return bindOrCheck(b, pattern.bind, node);
    }
    default:
      return pattern satisfies never;
  }
}

// ---------------------------------------------------------------- example mutation

/** Rebuilds `root` with `edit` deciding each node's replacement from its rebuilt inputs. */
function rebuild(root: Node, edit: (node: Node, inputs: Node[]) => Node | undefined): Node {
  const memo = new Map<Node, Node>();
  for (const node of topoSort([root])) {
    const inputs = node.inputs.map((i) => memo.get(i)!);
    const changed = inputs.some((i, k) => i !== node.inputs[k]);
    const edited = edit(node, inputs);
    memo.set(node, edited ?? (changed ? apply(opDef(node.op), inputs, node.attrs, { name: node.name }) : node));
  }
  return memo.get(root)!;
}

/** The graph with input `index` of `consumer` replaced by `f(that input)`. */
function editEdge(root: Node, consumer: Node, index: number, f: (n: Node) => Node): Node {
  return rebuild(root, (node, inputs) => {
    if (node !== consumer) return undefined;
    const next = [...inputs];
    next[index] = f(next[index]!);
    return apply(opDef(node.op), next, node.attrs, { name: node.name });
  });
}

/** The same node with new attributes (copied, so other uses keep the old ones). */
function withAttrs(node: Node, b: Builder): Node {
  const fresh = randomAttrs(node.op, node.inputs, b);
  const attrs: Record<string, AttrValue> = { ...node.attrs };
  const keys = Object.keys(fresh).filter((k) => k in node.attrs);
  if (keys.length === 0) throw new Discard('no attributes');
  for (const k of keys) if (b.rng.chance(0.7)) attrs[k] = fresh[k]!;
  return apply(opDef(node.op), node.inputs, attrs, { name: node.name });
}

function changedConstant(node: Node, b: Builder): Node {
  const data = Array.from(node.value!.data);
  const r = b.rng.next();
  const scaled = r < 0.3 ? data.map((v) => -v) : r < 0.55 ? data.map((v) => v * 2) : r < 0.8 ? data.map((v) => v * (1 + 1e-3)) : data.map(() => b.rng.pick(SPECIAL_CONSTANTS));
  if (r >= 0.9 && node.shape.length === 0) {
    // the same value, as a tensor that broadcasts the result larger
    return constant(tensor(Array(6).fill(data[0]), { dtype: node.dtype, shape: [2, 3] }), { dtype: node.dtype });
  }
  return constant(tensor(scaled, { dtype: node.dtype, shape: node.shape as number[] }), { dtype: node.dtype });
}

function broadcastingShape(shape: Shape, rng: Random): Shape {
  const r = rng.next();
  if (shape.length === 0) return rng.pick<Shape>([[1], [3], ['batch']]);
  if (r < 0.3) return [1, ...shape];
  if (r < 0.55) return ['batch', ...shape];
  if (r < 0.8) return shape.map((d, i) => (i === 0 ? 1 : d));
  return shape.slice(1);
}

// Unsharing comes up most: a rule that takes two captures for one value is the commonest defect.
const MUTATIONS = ['unshare', 'unshare', 'unshare', 'attrs', 'constant', 'swap', 'shape', 'dtype'] as const;

/** One random mutation of `root`; returns the new graph and what was done. */
function mutate(root: Node, b: Builder): { graph: Node; what: string } {
  const nodes = topoSort([root]);
  const edges: { consumer: Node; index: number; node: Node }[] = [];
  const uses = new Map<Node, number>();
  for (const n of nodes) n.inputs.forEach((i, index) => { edges.push({ consumer: n, index, node: i }); uses.set(i, (uses.get(i) ?? 0) + 1); });
  const what = b.rng.pick(MUTATIONS);
  switch (what) {
    case 'unshare': {
      const shared = edges.filter((e) => (uses.get(e.node) ?? 0) > 1 && e.node.op !== 'input');
      if (shared.length === 0) throw new Discard('nothing shared');
      const e = b.rng.pick(shared);
      // a copy, then (mostly) a change to the copy: a different value under the same spelling
      const r = b.rng.next();
      return {
        graph: editEdge(root, e.consumer, e.index, (n) => {
          const copy = copyTerm(n);
          if (r < 0.25) return copy;
          // change one node of the copy (its attributes, a constant, or a leaf)
          const inside = topoSort([copy]).filter((m) => m.op !== 'param');
          const tunable = inside.filter((m) => m.op === 'constant' || (m.op !== 'input' && Object.keys(m.attrs).length > 0));
          const target = b.rng.pick(tunable.length > 0 && b.rng.chance(0.7) ? tunable : inside);
          return rebuild(copy, (node) => {
            if (node !== target) return undefined;
            if (node.op === 'constant') return changedConstant(node, b);
            if (node.op === 'input') return freshInput(b, node.shape, node.dtype);
            if (Object.keys(node.attrs).length > 0) return withAttrs(node, b);
            return undefined;
          });
        }),
        what: 'unshare + change',
      };
    }
    case 'attrs': {
      const withSome = nodes.filter((n) => n.op !== 'input' && n.op !== 'constant' && n.op !== 'param' && Object.keys(n.attrs).length > 0);
      if (withSome.length === 0) throw new Discard('no attributes');
      const n = b.rng.pick(withSome);
      return { graph: rebuild(root, (node) => (node === n ? withAttrs(node, b) : undefined)), what: `attrs of ${n.op}` };
    }
    case 'constant': {
      const constants = edges.filter((e) => e.node.op === 'constant');
      if (constants.length === 0) throw new Discard('no constant');
      const e = b.rng.pick(constants);
      return { graph: editEdge(root, e.consumer, e.index, (n) => changedConstant(n, b)), what: 'constant' };
    }
    case 'swap': {
      const leaves = edges.filter((e) => e.node.op === 'input');
      if (leaves.length === 0) throw new Discard('no input');
      const e = b.rng.pick(leaves);
      return { graph: editEdge(root, e.consumer, e.index, (n) => freshInput(b, n.shape, n.dtype)), what: `swap ${e.node.name}` };
    }
    case 'shape': {
      const leaves = nodes.filter((n) => n.op === 'input' && n.dtype !== 'int32');
      if (leaves.length === 0) throw new Discard('no input');
      const leaf = b.rng.pick(leaves);
      const shape = broadcastingShape(leaf.shape, b.rng);
      return { graph: rebuild(root, (node) => (node === leaf ? input(shape, { name: leaf.name, dtype: leaf.dtype }) : undefined)), what: `shape of ${leaf.name}` };
    }
    case 'dtype': {
      const to: FloatDType = root.dtype === 'float64' ? 'float32' : 'float64';
      const swapped = (node: Node): Node | undefined => {
        if (node.dtype === 'int32') return undefined;
        if (node.op === 'input') return input(node.shape, { name: node.name, dtype: to });
        if (node.op === 'constant') return constant(tensor(node.value!, { dtype: to }), { dtype: to, name: node.name });
        return undefined;
      };
      return {
        graph: rebuild(root, (node, inputs) => {
          const leaf = swapped(node);
          if (leaf !== undefined || node.inputs.length === 0) return leaf;
          const attrs = 'dtype' in node.attrs && node.attrs.dtype !== 'int32' ? { ...node.attrs, dtype: to } : node.attrs;
          return apply(opDef(node.op), inputs, attrs, { name: node.name });
        }),
        what: `dtype ${to}`,
      };
    }
    default:
      return what satisfies never;
  }
}

/**
 * Candidate graphs for `rule`: half its pattern instantiated with random operands, half its
 * examples mutated (one or two mutations each). Invalid graphs (a ShapeError or DTypeError while
 * building) are skipped; so are candidates whose capture tests no random operand passed.
 * @example
 * ```ts
 * const graphs = ruleCandidates(rule, { count: 40, seed: 1 }).map((c) => c.graph);
 * ```
 */
export function ruleCandidates(
  rule: SoundnessRule,
  options: {
    readonly count: number; readonly seed: number; readonly prepareExample?: (graph: Node) => readonly Node[];
    /** Whether the rule fires on a graph: example forms it fires on are preferred as mutation bases. */
    readonly fires?: (graph: Node) => boolean;
  },
): RuleCandidate[] {
  const rng = new Random(options.seed ^ hashOf(rule.name));
  const out: RuleCandidate[] = [];
  const half = Math.ceil(options.count / 2);
  const attempts = options.count * 12;
  const builder = (): Builder => ({
    rng, dtype: rng.chance(0.5) ? 'float32' : 'float64', base: rng.pick(BASES), pool: [], bound: new Map(), attrs: new Map(), names: 0,
  });
  for (let i = 0; i < attempts && out.length < half; i++) {
    const attempt = tryBuild(() => instantiate(rule.pattern, builder(), {}));
    if (attempt !== undefined) out.push({ graph: attempt, origin: 'pattern' });
  }
  // The examples as written and as prepared; the forms the rule fires on first.
  const forms: { graph: Node; name: string }[] = [];
  rule.examples.forEach((example, k) => {
    const built = tryBuild(() => example.before());
    if (built === undefined) return;
    const prepared = tryBuild(() => options.prepareExample?.(built) ?? []) ?? [];
    forms.push({ graph: built, name: `example ${k}` }, ...prepared.map((graph) => ({ graph, name: `example ${k} prepared` })));
  });
  const firing = options.fires === undefined ? forms : forms.filter((f) => tryBuild(() => options.fires!(f.graph)) === true);
  const bases = firing.length > 0 ? firing : forms;
  if (bases.length === 0) return out;
  // Systematically first: each shared node copied for one of its uses, and one attribute or
  // constant inside the copy changed (the rule must not take the two for one value).
  const systematic: RuleCandidate[] = [];
  for (const form of bases) {
    const nodes = topoSort([form.graph]);
    const uses = new Map<Node, number>();
    for (const n of nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
    for (const consumer of nodes) {
      consumer.inputs.forEach((shared, index) => {
        if ((uses.get(shared) ?? 0) < 2 || shared.op === 'input' || shared.op === 'param') return;
        const tunable = topoSort([shared]).filter((m) => m.op === 'constant' || (m.op !== 'input' && m.op !== 'param' && Object.keys(m.attrs).length > 0));
        for (const target of tunable) for (let variant = 0; variant < 3; variant++) {
          const b = builder();
          const graph = tryBuild(() => editEdge(form.graph, consumer, index, (n) => {
            const copy = copyTerm(n);
            const at = topoSort([copy]).find((m) => m.op === target.op && sameAttrs(m, target));
            return rebuild(copy, (node) => (node !== at ? undefined : node.op === 'constant' ? changedConstant(node, b) : withAttrs(node, b)));
          }));
          if (graph !== undefined) systematic.push({ graph, origin: `${form.name}: ${target.op} in one use of a shared ${shared.op} changed` });
        }
      });
    }
  }
  const broadcasts: RuleCandidate[] = [];
  // And each scalar constant next to an input made the larger operand: c [2, n] with x [1, n],
  // so the result has c's shape, not x's (a guard must compare shapes, not ranks).
  for (const form of bases) {
    for (const consumer of topoSort([form.graph])) {
      if (consumer.inputs.length !== 2) continue;
      consumer.inputs.forEach((k, index) => {
        const other = consumer.inputs[1 - index]!;
        if (k.op !== 'constant' || k.shape.length !== 0 || other.op !== 'input' || !other.shape.every((d): d is number => typeof d === 'number')) return;
        const dims = other.shape as readonly number[];
        const graph = tryBuild(() => rebuild(form.graph, (node, inputs) => {
          if (node !== consumer) return undefined;
          const next = [...inputs];
          const size = 2 * dims.reduce((a, d) => a * d, 1);
          next[index] = constant(tensor(Array(size).fill(k.value!.data[0]), { dtype: k.dtype, shape: [2, ...dims] }), { dtype: k.dtype });
          next[1 - index] = input([1, ...dims], { name: other.name, dtype: other.dtype });
          return apply(opDef(node.op), next, node.attrs, { name: node.name });
        }));
        if (graph !== undefined) broadcasts.push({ graph, origin: `${form.name}: constant ${k.value!.data[0]} broadcasting ${other.name}` });
      });
    }
  }
  const budget = Math.ceil((options.count - out.length) / 2);
  const interleaved = Array.from({ length: Math.max(systematic.length, broadcasts.length) }, (_, i) => [systematic[i], broadcasts[i]])
    .flat().filter((c): c is RuleCandidate => c !== undefined);
  out.push(...interleaved.slice(0, budget));
  for (let i = 0; i < attempts && out.length < options.count; i++) {
    const form = bases[i % bases.length]!;
    const b = builder();
    const built = tryBuild(() => {
      let { graph, what } = mutate(form.graph, b);
      if (rng.chance(0.4)) {
        const second = mutate(graph, b);
        graph = second.graph;
        what = `${what}, ${second.what}`;
      }
      return { graph, what };
    });
    if (built !== undefined) out.push({ graph: built.graph, origin: `${form.name}: ${built.what}` });
  }
  return out;
}

function sameAttrs(a: Node, b: Node): boolean {
  return JSON.stringify(a.attrs) === JSON.stringify(b.attrs) && (a.op !== 'constant' || a.value?.data.join() === b.value?.data.join());
}

function tryBuild<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (e) {
    if (e instanceof Discard || e instanceof StablegradError) return undefined;
    throw e;
  }
}

export function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
