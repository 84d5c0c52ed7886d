/**
 * Random loss graphs for metamorphic tests: graphs written the way people write losses by hand
 * (sigmoid or softmax, logs, Keras clips, cross-entropies in several algebraic spellings, every
 * spelling of the LOSS_SPELLINGS catalogue, reductions, weights and harmless extra ops) together
 * with inputs that stress them (extreme
 * logits, labels in [0, 1], probability rows, class indices). A case is plain data, a recipe and
 * the input values, so fast-check shrinks it well and a shrunk counterexample can be pasted into
 * a regression test; `buildLossGraph` turns it into nodes and feeds.
 * @module
 */
import fc from 'fast-check';
import {
  add, clip, type ConcreteShape, constant, div, exp, gather, input, log, log1p, matmul, mean, mul, neg, type Node, oneHot,
  sigmoid, softmax, square, sub, sum, type Tensor, tensor, topoSort,
} from '@stablegrad/core';
import { type FloatDType, floatOf, logitVector, probabilityVector } from './arbitraries.js';
import { LOSS_SPELLINGS, type LossSpelling, spellingInputs, type SpellingInputs, type SpellingShapes } from './spellings.js';

/**
 * How the logits are made: fed directly (`input`, with extreme values), `x * w + b`
 * elementwise (`affine`) or `matmul(x, W) + b` (`matmul`, needs a batch), then multiplied by an
 * exact factor (`scale`; -1 is written `mul(z, -1)`).
 * @example
 * ```ts
 * const logits: LogitsRecipe = { source: 'affine', scale: 2 };
 * ```
 */
export interface LogitsRecipe {
  readonly source: 'input' | 'affine' | 'matmul';
  readonly scale: 1 | 2 | 0.5 | -1;
}

/**
 * A binary cross-entropy over `p = sigmoid(z)` (optionally Keras-clipped to [1e-7, 1 - 1e-7]):
 * the whole `-(y log p + (1 - y) log(1 - p))` or one of its terms, in a chosen spelling.
 * `oneMinusP` spells `1 - p` (`log1p` writes `log1p(-p)` for `log(1 - p)`), `oneMinusY` spells
 * `1 - y`, `combine` places the negation (`outer`: after the reductions), `labelFirst` puts
 * the label first in products.
 * @example
 * ```ts
 * const bce: BinaryLoss = {
 *   family: 'binary', form: 'crossEntropy', oneMinusP: 'log1p', oneMinusY: 'sub', combine: 'negSum',
 *   labelFirst: true, clip: false, labels: 'soft',
 * };
 * ```
 */
export interface BinaryLoss {
  readonly family: 'binary';
  readonly form: 'crossEntropy' | 'logP' | 'logOneMinusP';
  readonly oneMinusP: 'sub' | 'addNeg' | 'negPlusOne' | 'mulMinusOne' | 'log1p';
  readonly oneMinusY: 'sub' | 'negPlusOne';
  readonly combine: 'negSum' | 'subTerms' | 'negEach' | 'flipped' | 'outer';
  readonly labelFirst: boolean;
  readonly clip: boolean;
  readonly labels: 'hard' | 'soft';
}

/**
 * Softmax losses along `axis`: `-sum(y log p, axis)` (`crossEntropy`, soft label rows or
 * `oneHot` labels), `-log p` elementwise (`logSoftmax`) or `log(sum(exp z, axis))`
 * (`logSumExp`). `softmax` spells p as the op or as `exp(z) / sum(exp(z), axis, keepDims)`;
 * `renormalize` and `clip` are Keras' `p / sum(p)` and `clip(p, 1e-7, 1 - 1e-7)`; `negate`
 * places the minus sign (`outer`: after the reductions).
 * @example
 * ```ts
 * const cce: CategoricalLoss = {
 *   family: 'categorical', axis: -1, softmax: 'op', form: 'crossEntropy', labels: 'soft',
 *   renormalize: true, clip: true, negate: 'outside',
 * };
 * ```
 */
export interface CategoricalLoss {
  readonly family: 'categorical';
  readonly axis: -1 | 0;
  readonly softmax: 'op' | 'expOverSum';
  readonly form: 'crossEntropy' | 'logSoftmax' | 'logSumExp';
  readonly labels: 'soft' | 'oneHot';
  readonly renormalize: boolean;
  readonly clip: boolean;
  readonly negate: 'outside' | 'inside' | 'labels' | 'outer';
}

/**
 * Sparse categorical cross-entropy with int32 class labels over `[batch, classes]` logits:
 * `-gather(log p, labels, { axis: 1, batchDims: 1 })` or `-sum(oneHot(labels) * log p, 1)`.
 * @example
 * ```ts
 * const sparse: SparseLoss = { family: 'sparse', via: 'gather', softmax: 'op', clip: false, negate: 'inside' };
 * ```
 */
export interface SparseLoss {
  readonly family: 'sparse';
  readonly via: 'gather' | 'oneHot';
  readonly softmax: 'op' | 'expOverSum';
  readonly clip: boolean;
  readonly negate: 'inside' | 'outer';
}

/**
 * Expressions that cancel in floating point: `log(1 + x)`, `exp(x) - 1`, `(1 + a) - (1 - a)`,
 * `(a + b) - a`; `swap` writes the other operand order. Their values may have either sign.
 * @example
 * ```ts
 * const e: CancellationExpr = { family: 'cancellation', form: 'twoSided', swap: false };
 * ```
 */
export interface CancellationExpr {
  readonly family: 'cancellation';
  readonly form: 'log1p' | 'expm1' | 'twoSided' | 'addSub';
  readonly swap: boolean;
}

/**
 * A spelling of the LOSS_SPELLINGS catalogue, by name, built over the recipe's logits (`z`, `Z`
 * or `row` of the spelling: fed, affine or matmul, scaled), dtype and shapes (`[batch, classes]`
 * rows for the categorical spellings, `[1, classes]` for the `np.dot` row, the full shape for
 * the binary ones), with the identity for its `average`, so that the recipe's weights,
 * reductions and extra ops apply per example. Labels follow the entry's `hardLabels` and
 * `positiveLabels`; the entries that `refuses` or `dropsGuard` are generated too (the harness
 * decides what to claim of them).
 * @example
 * ```ts
 * const loss: SpellingLossRecipe = { family: 'spelling', name: 'bce-sigmoid-as-tanh' };
 * ```
 */
export interface SpellingLossRecipe {
  readonly family: 'spelling';
  /** A `LOSS_SPELLINGS` name. */
  readonly name: string;
}

/**
 * One step after the elementwise loss: a reduction (`axis` 'all', 0 or -1; skipped when the
 * value has no axes left).
 * @example
 * ```ts
 * const perExampleThenBatch: ReduceStep[] = [{ op: 'sum', axis: -1, keepDims: false }, { op: 'mean', axis: 'all', keepDims: false }];
 * ```
 */
export interface ReduceStep {
  readonly op: 'sum' | 'mean';
  readonly axis: 'all' | 0 | -1;
  readonly keepDims: boolean;
}

/**
 * Harmless, well-conditioned extra ops applied to the final value: `scale` (times a
 * constant), `shift` (plus a positive constant; only for non-negative values), `expFactor`
 * (times `exp` of a small constant), `square`.
 * @example
 * ```ts
 * const noise: NoiseStep[] = [{ op: 'expFactor', by: -0.5 }, { op: 'square' }];
 * ```
 */
export type NoiseStep =
  | { readonly op: 'scale'; readonly by: 0.5 | 3 }
  | { readonly op: 'shift'; readonly by: 1 | 0.25 }
  | { readonly op: 'expFactor'; readonly by: -0.5 | 0.1 }
  | { readonly op: 'square' };

/**
 * Everything about a random loss graph except its input values. `batch` 0 means rank-1
 * tensors of length `classes`, else `[batch, classes]`.
 * @example
 * ```ts
 * const recipe: LossRecipe = {
 *   dtype: 'float32', batch: 2, classes: 3, logits: { source: 'input', scale: 1 },
 *   loss: { family: 'sparse', via: 'gather', softmax: 'op', clip: false, negate: 'inside' },
 *   weights: false, reduce: [{ op: 'mean', axis: 'all', keepDims: false }], noise: [],
 * };
 * ```
 */
export interface LossRecipe {
  readonly dtype: FloatDType;
  readonly batch: number;
  readonly classes: number;
  readonly logits: LogitsRecipe;
  readonly loss: BinaryLoss | CategoricalLoss | SparseLoss | CancellationExpr | SpellingLossRecipe;
  /** Multiply the elementwise loss by non-negative weights in [0, 1]. */
  readonly weights: boolean;
  readonly reduce: readonly ReduceStep[];
  readonly noise: readonly NoiseStep[];
}

/**
 * Input values by input name (`z`, `y`, `x`, `w`, `b`, `labels`, `weights`, `a`; for the
 * spelling family also `Y`, `T` and `rowY`, its logits being `z` whatever the spelling calls
 * them), flat and row-major; float32 values are already float32.
 * @example
 * ```ts
 * const values: LossValues = { z: [-1e4, 0, 20], y: [1, 0.5, 0] };
 * ```
 */
export type LossValues = { readonly [input: string]: readonly number[] };

/**
 * A random loss graph as plain data: recipe and input values.
 * @example
 * ```ts
 * fc.assert(fc.property(lossCaseOf(), (c) => { const g = buildLossGraph(c); ... }));
 * ```
 */
export interface LossCase {
  readonly recipe: LossRecipe;
  readonly values: LossValues;
}

/**
 * A built loss graph: the output, its feeds, the affine logits (whose float value accuracy
 * checks may take as given, since rounding them is upstream of the loss and amplified by its
 * conditioning, not by the loss's evaluation), and the Keras clips with the nodes they clip
 * (with the guards of a `dropsGuard` spelling: clips, maxima with a constant, and small
 * epsilons added inside a log, see `GUARD_SLACK`).
 * @example
 * ```ts
 * const { output, feeds } = buildLossGraph(someCase);
 * evaluate(output, feeds);
 * ```
 */
export interface LossGraph {
  readonly case: LossCase;
  readonly output: Node;
  readonly feeds: ReadonlyMap<Node, Tensor>;
  readonly inputs: { readonly [name: string]: Node };
  /** Nodes computed from inputs before the loss (affine logits); empty when the logits are fed. */
  readonly givens: readonly Node[];
  readonly clips: readonly GuardRange[];
}

/**
 * A guard of the graph as written (a Keras clip, a `maximum` with a constant, an epsilon added
 * inside a log), which the fused loss drops on purpose: the values of `clipped` where the guard
 * is inactive are [lo, hi]. Where it is inactive a clip or maximum changes nothing; an epsilon
 * changes the value by at most `slack` (relative).
 * @example
 * ```ts
 * const keras: GuardRange = { clipped: p, lo: 1e-7, hi: 1 - 1e-7 };
 * ```
 */
export interface GuardRange {
  readonly clipped: Node;
  readonly lo: number;
  readonly hi: number;
  /** Relative change of the loss that the guard still makes inside [lo, hi] (absent: none). */
  readonly slack?: number;
}

/**
 * The relative change allowed for an epsilon guard `log(x + eps)` where it counts as inactive:
 * the term -log(x) of a probability x is at least 1 - x, and eps moves it by about eps / x, so
 * for x in [2 eps / GUARD_SLACK, 1 - 2 eps / GUARD_SLACK] it moves by less than GUARD_SLACK
 * relative (a sum of such non-negative terms too).
 * @example
 * ```ts
 * const eps = 1e-7;
 * const inactive: GuardRange = { clipped: p, lo: (2 * eps) / GUARD_SLACK, hi: 1 - (2 * eps) / GUARD_SLACK, slack: GUARD_SLACK };
 * ```
 */
export const GUARD_SLACK = 1e-5;

/**
 * Options of the random loss graphs.
 * @example
 * ```ts
 * lossCaseOf({ dtypes: ['float32'], families: ['binary'], maxBatch: 2, maxClasses: 3 } satisfies LossGraphOptions);
 * ```
 */
export interface LossGraphOptions {
  /** Default both float dtypes. */
  readonly dtypes?: readonly FloatDType[];
  /** Default the four families binary, categorical, sparse and cancellation (`spelling` on request). */
  readonly families?: readonly LossRecipe['loss']['family'][];
  /** Names of the LOSS_SPELLINGS entries the spelling family draws from (default all). */
  readonly spellings?: readonly string[];
  /** Largest batch (default 2; 0 gives rank-1 tensors). */
  readonly maxBatch?: number;
  /** Largest number of classes (default 3). */
  readonly maxClasses?: number;
}

/** Keras' epsilon: `clip(p, EPSILON, 1 - EPSILON)`. */
const EPSILON = 1e-7;

const binaryLoss: fc.Arbitrary<BinaryLoss> = fc.record({
  family: fc.constant('binary' as const),
  form: fc.constantFrom('crossEntropy', 'crossEntropy', 'logP', 'logOneMinusP'),
  oneMinusP: fc.constantFrom('sub', 'addNeg', 'negPlusOne', 'mulMinusOne', 'log1p'),
  oneMinusY: fc.constantFrom('sub', 'negPlusOne'),
  combine: fc.constantFrom('negSum', 'subTerms', 'negEach', 'flipped', 'outer'),
  labelFirst: fc.boolean(),
  clip: fc.boolean(),
  labels: fc.constantFrom('hard', 'soft'),
});

const categoricalLoss: fc.Arbitrary<CategoricalLoss> = fc.record({
  family: fc.constant('categorical' as const),
  axis: fc.constantFrom(-1, 0),
  softmax: fc.constantFrom('op', 'expOverSum'),
  form: fc.constantFrom('crossEntropy', 'crossEntropy', 'logSoftmax', 'logSumExp'),
  labels: fc.constantFrom('soft', 'oneHot'),
  renormalize: fc.boolean(),
  clip: fc.boolean(),
  negate: fc.constantFrom('outside', 'inside', 'labels', 'outer'),
}).map((l): CategoricalLoss => ({
  ...l,
  axis: l.labels === 'oneHot' && l.form === 'crossEntropy' ? -1 : l.axis,
  renormalize: l.form === 'logSumExp' ? false : l.renormalize,
  clip: l.form === 'logSumExp' ? false : l.clip,
}));

const sparseLoss: fc.Arbitrary<SparseLoss> = fc.record({
  family: fc.constant('sparse' as const),
  via: fc.constantFrom('gather', 'oneHot'),
  softmax: fc.constantFrom('op', 'expOverSum'),
  clip: fc.boolean(),
  negate: fc.constantFrom('inside', 'outer'),
});

const cancellation: fc.Arbitrary<CancellationExpr> = fc.record({
  family: fc.constant('cancellation' as const),
  form: fc.constantFrom('log1p', 'expm1', 'twoSided', 'addSub'),
  swap: fc.boolean(),
});

const reduceStep: fc.Arbitrary<ReduceStep> = fc.record({
  op: fc.constantFrom('sum', 'mean'),
  axis: fc.constantFrom<ReduceStep['axis']>('all', 0, -1),
  keepDims: fc.boolean(),
});

const noiseStep: fc.Arbitrary<NoiseStep> = fc.oneof(
  fc.record({ op: fc.constant('scale' as const), by: fc.constantFrom(0.5, 3) }),
  fc.record({ op: fc.constant('shift' as const), by: fc.constantFrom(1, 0.25) }),
  fc.record({ op: fc.constant('expFactor' as const), by: fc.constantFrom(-0.5, 0.1) }),
  fc.constant({ op: 'square' as const }),
);

/** What the generator needs to know of a catalogue spelling: the entry, the inputs it reads, and which of them are its logits. */
interface SpellingInfo {
  readonly spelling: LossSpelling;
  readonly uses: ReadonlySet<SpellingKey>;
  /** `z`, `Z` or `row`, or null when the spelling has no logits (a probability fed from outside). */
  readonly logits: 'z' | 'Z' | 'row' | null;
}

type SpellingKey = keyof SpellingInputs;
const SPELLING_KEYS: readonly SpellingKey[] = ['z', 'y', 'Z', 'T', 'Y', 'labels', 'row', 'rowY'];
const spellingInfos = new Map<string, SpellingInfo>();

function spellingInfo(name: string): SpellingInfo {
  const known = spellingInfos.get(name);
  if (known !== undefined) return known;
  const spelling = LOSS_SPELLINGS.find((s) => s.name === name);
  if (spelling === undefined) throw new RangeError(`buildLossGraph: no loss spelling named '${name}'`);
  const x = spellingInputs('float64');
  const reached = new Set(topoSort([spelling.build(x, (v) => v)]));
  const uses = new Set(SPELLING_KEYS.filter((k) => reached.has(x[k])));
  const logits = uses.has('z') ? 'z' : uses.has('Z') ? 'Z' : uses.has('row') ? 'row' : null;
  const info: SpellingInfo = { spelling, uses, logits };
  spellingInfos.set(name, info);
  return info;
}

/** The spelling's rows of classes (`Z`, `T`, `Y`, `labels`) need a batch and two classes. */
const usesRows = (info: SpellingInfo): boolean => ['Z', 'T', 'Y', 'labels'].some((k) => info.uses.has(k as SpellingKey));

/** The shapes of a spelling's inputs in a recipe: every one of them is the recipe's full shape, or its batch. */
function spellingShapes(recipe: LossRecipe): SpellingShapes {
  return { binary: fullShape(recipe), batch: Math.max(1, recipe.batch), classes: recipe.classes, rowLength: recipe.classes };
}

/** Sign of the elementwise value: sums of values of both signs cancel (then no sums), shifts only for non-negative ones. */
function signOf(recipe: Pick<LossRecipe, 'loss'>): 'nonNegative' | 'nonPositive' | 'mixed' {
  const { loss } = recipe;
  if (loss.family === 'cancellation' || (loss.family === 'categorical' && loss.form === 'logSumExp')) return 'mixed';
  if (loss.family === 'spelling') return spellingInfo(loss.name).spelling.sign ?? 'nonNegative';
  return 'nonNegative';
}

/**
 * Random loss recipes (no input values).
 * @example
 * ```ts
 * fc.sample(lossRecipeOf({ families: ['categorical'] }), 1)[0]!.loss.family; // 'categorical'
 * ```
 */
export function lossRecipeOf(options: LossGraphOptions = {}): fc.Arbitrary<LossRecipe> {
  const families = options.families ?? ['binary', 'categorical', 'sparse', 'cancellation'];
  const weight = { binary: 3, categorical: 3, sparse: 2, cancellation: 1, spelling: 3 } as const;
  const names = options.spellings ?? LOSS_SPELLINGS.map((s) => s.name);
  for (const name of names) spellingInfo(name);
  const spelling: fc.Arbitrary<SpellingLossRecipe> = fc.record({ family: fc.constant('spelling' as const), name: fc.constantFrom(...names) });
  const byFamily = { binary: binaryLoss, categorical: categoricalLoss, sparse: sparseLoss, cancellation, spelling } as const;
  const loss = fc.oneof(...families.map((f) => ({ arbitrary: byFamily[f] as fc.Arbitrary<LossRecipe['loss']>, weight: weight[f] })));
  return fc.record({
    dtype: fc.constantFrom(...(options.dtypes ?? (['float64', 'float32'] as const))),
    batch: fc.integer({ min: 0, max: options.maxBatch ?? 2 }),
    classes: fc.integer({ min: 1, max: options.maxClasses ?? 3 }),
    logits: fc.record({ source: fc.constantFrom('input', 'input', 'affine', 'matmul'), scale: fc.constantFrom(1, 1, 2, 0.5, -1) }),
    loss,
    weights: fc.boolean(),
    reduce: fc.array(reduceStep, { maxLength: 2 }),
    noise: fc.array(noiseStep, { maxLength: 2 }),
  }).map((r): LossRecipe => {
    const sign = signOf(r);
    const info = r.loss.family === 'spelling' ? spellingInfo(r.loss.name) : undefined;
    // Sparse losses and rows of classes need a batch; the np.dot spelling's row is one; softmax over one class is constant.
    const rows = r.loss.family === 'sparse' || (info !== undefined && usesRows(info));
    const batch = info?.uses.has('row') === true ? 1 : rows ? Math.max(1, r.batch) : r.batch;
    const classes = r.loss.family === 'categorical' || rows ? Math.max(2, r.classes) : r.classes;
    return {
      ...r, batch, classes,
      // Nothing to scale without logits; matmul logits need a batch.
      logits: info?.logits === null ? { source: 'input', scale: 1 } : r.logits.source === 'matmul' && batch === 0 ? { ...r.logits, source: 'affine' } : r.logits,
      // Sums of values of both signs cancel: keep those elementwise.
      reduce: sign === 'mixed' ? [] : r.reduce,
      noise: sign === 'nonNegative' ? r.noise : r.noise.filter((n) => n.op !== 'shift'),
    };
  });
}

/** Shape of the logits (and of binary labels). */
function fullShape(recipe: LossRecipe): number[] {
  return recipe.batch === 0 ? [recipe.classes] : [recipe.batch, recipe.classes];
}

/** Softmax axis as a non-negative index. */
function softmaxAxis(recipe: LossRecipe): number {
  const rank = fullShape(recipe).length;
  const axis = recipe.loss.family === 'categorical' ? recipe.loss.axis : -1;
  return axis < 0 ? rank + axis : axis;
}

/** Shape of the elementwise loss (before weights and reductions). */
function elementShape(recipe: LossRecipe): number[] {
  const shape = fullShape(recipe);
  const { loss } = recipe;
  if (loss.family === 'spelling') {
    const x = spellingInputs(recipe.dtype, spellingShapes(recipe));
    return spellingInfo(loss.name).spelling.build(x, (v) => v).shape as number[];
  }
  if (loss.family === 'sparse' || (loss.family === 'categorical' && loss.form !== 'logSoftmax')) {
    const axis = softmaxAxis(recipe);
    return shape.filter((_, i) => i !== axis);
  }
  return shape;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** `rows` lanes of `length` values each (from `lane`), laid out along `axis` of `[.., ..]`. */
function lanes(shape: readonly number[], axis: number, lane: (length: number, count: number | undefined) => fc.Arbitrary<Tensor>): fc.Arbitrary<number[]> {
  if (shape.length === 1) return lane(shape[0]!, undefined).map((t) => Array.from(t.data));
  const [rows, cols] = [shape[0]!, shape[1]!];
  if (axis === 1) return lane(cols, rows).map((t) => Array.from(t.data));
  // Lanes along axis 0: draw [cols, rows] and transpose.
  return lane(rows, cols).map((t) => Array.from({ length: rows * cols }, (_, k) => t.data[(k % cols) * rows + Math.floor(k / cols)]!));
}

const arrayOf = (element: fc.Arbitrary<number>, n: number): fc.Arbitrary<number[]> => fc.array(element, { minLength: n, maxLength: n });

/**
 * Input values for a recipe: extreme logits (`logitVector` lanes along the softmax axis), affine
 * parameters, labels in [0, 1] (hard or soft), probability rows, valid class indices, weights in
 * [0, 1], and the operands of the cancelling expressions.
 * @example
 * ```ts
 * lossRecipeOf().chain((recipe) => lossValuesOf(recipe).map((values) => ({ recipe, values })));
 * ```
 */
export function lossValuesOf(recipe: LossRecipe): fc.Arbitrary<LossValues> {
  const { dtype, loss, batch, classes } = recipe;
  const shape = fullShape(recipe);
  const axis = softmaxAxis(recipe);
  const parts: { [name: string]: fc.Arbitrary<number[]> } = {};
  const moderate = (limit: number) => floatOf(dtype, { min: -limit, max: limit });
  if (loss.family === 'cancellation') {
    const n = size(shape);
    if (loss.form === 'log1p') parts['x'] = arrayOf(floatOf(dtype, { min: -0.99, max: 1e6 }), n);
    if (loss.form === 'expm1') parts['x'] = arrayOf(moderate(60), n);
    if (loss.form === 'twoSided' || loss.form === 'addSub') parts['a'] = arrayOf(moderate(1e3), n);
    if (loss.form === 'addSub') parts['b'] = arrayOf(moderate(1e3), n);
  } else if (loss.family === 'spelling' && spellingInfo(loss.name).logits === null) {
    // No logits (a probability fed from outside).
  } else {
    if (recipe.logits.source === 'input') {
      parts['z'] = lanes(shape, axis, (length, count) => logitVector(length, dtype, count === undefined ? {} : { batch: count }));
    } else if (recipe.logits.source === 'affine') {
      parts['x'] = arrayOf(moderate(100), size(shape));
      parts['w'] = arrayOf(moderate(100), classes);
      parts['b'] = arrayOf(moderate(1e3), classes);
    } else {
      parts['x'] = arrayOf(moderate(100), batch * 2);
      parts['w'] = arrayOf(moderate(100), 2 * classes);
      parts['b'] = arrayOf(moderate(1e3), classes);
    }
    if (loss.family === 'binary' && loss.form === 'crossEntropy') {
      const label = loss.labels === 'hard' ? fc.constantFrom(0, 1) : floatOf(dtype, { min: 0, max: 1 });
      parts['y'] = arrayOf(label, size(shape));
    } else if (loss.family === 'spelling') {
      // Labels below.
    } else if (loss.family === 'sparse' || (loss.form === 'crossEntropy' && loss.labels === 'oneHot')) {
      parts['labels'] = arrayOf(fc.integer({ min: 0, max: classes - 1 }), size(shape.slice(0, -1)));
    } else if (loss.form === 'crossEntropy') {
      parts['y'] = lanes(shape, axis, (length, count) => probabilityVector(length, count === undefined ? { dtype } : { dtype, batch: count }));
    }
  }
  if (loss.family === 'spelling') Object.assign(parts, spellingLabels(recipe, spellingInfo(loss.name)));
  if (recipe.weights) parts['weights'] = arrayOf(floatOf(dtype, { min: 0, max: 1 }), size(elementShape(recipe)));
  return fc.record(parts);
}

/**
 * The label inputs of a spelling: `y` and `rowY` in [0, 1] (0 or 1 for `hardLabels`), rows `Y`
 * (one-hot for `hardLabels`, positive for `positiveLabels`, else any distribution), `T` (more
 * logits when the spelling has logits `Z`, else a probability fed from outside) and class indices.
 */
function spellingLabels(recipe: LossRecipe, info: SpellingInfo): { [name: string]: fc.Arbitrary<number[]> } {
  const { dtype, batch, classes } = recipe;
  const { hardLabels, positiveLabels } = info.spelling;
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const parts: { [name: string]: fc.Arbitrary<number[]> } = {};
  const label = hardLabels === true ? fc.constantFrom(0, 1) : fc.oneof(fc.constantFrom(0, 1), floatOf(dtype, { min: 0, max: 1 }));
  const n = size(fullShape(recipe));
  if (info.uses.has('y')) parts['y'] = arrayOf(label, n);
  if (info.uses.has('rowY')) parts['rowY'] = arrayOf(label, n);
  if (info.uses.has('labels')) parts['labels'] = arrayOf(fc.integer({ min: 0, max: classes - 1 }), batch);
  const rows = (row: fc.Arbitrary<number[]>) => fc.array(row, { minLength: batch, maxLength: batch }).map((r) => r.flat());
  if (info.uses.has('Y')) {
    parts['Y'] = hardLabels === true
      ? rows(fc.nat(classes - 1).map((k) => Array.from({ length: classes }, (_, i) => (i === k ? 1 : 0))))
      : positiveLabels === true
        ? rows(arrayOf(fc.double({ min: 0.01, max: 1, noNaN: true }), classes).map((w) => { const t = w.reduce((a, b) => a + b); return w.map((v) => round(v / t)); }))
        : probabilityVector(classes, { dtype, batch }).map((t) => Array.from(t.data));
  }
  if (info.uses.has('T')) {
    parts['T'] = info.uses.has('Z') ? logitVector(classes, dtype, { batch }).map((t) => Array.from(t.data)) : probabilityVector(classes, { dtype, batch }).map((t) => Array.from(t.data));
  }
  return parts;
}

/**
 * Random loss graphs as plain data (recipe and values); build them with `buildLossGraph`.
 * @example
 * ```ts
 * test.prop([lossCaseOf({ dtypes: ['float32'] })], propertyParams(1000))('stable', (c) => { ... });
 * ```
 */
export function lossCaseOf(options: LossGraphOptions = {}): fc.Arbitrary<LossCase> {
  return lossRecipeOf(options).chain((recipe) => lossValuesOf(recipe).map((values) => ({ recipe, values })));
}

/**
 * Random loss graphs, built: output node, feeds, and what accuracy checks need. They print as
 * their plain-data case.
 * @example
 * ```ts
 * fc.assert(fc.property(lossGraphOf(), ({ output, feeds }) => evaluate(output, feeds).data.length > 0));
 * ```
 */
export function lossGraphOf(options: LossGraphOptions = {}): fc.Arbitrary<LossGraph> {
  return lossCaseOf(options).map(buildLossGraph);
}

/**
 * Builds the nodes and feeds of a case (fresh nodes at each call).
 * @example
 * ```ts
 * const g = buildLossGraph({ recipe, values: { z: [30, -30, 0], y: [1, 0, 1] } });
 * referenceEvaluate(g.output, g.feeds);
 * ```
 */
export function buildLossGraph(lossCase: LossCase): LossGraph {
  const { recipe, values } = lossCase;
  const { dtype, loss } = recipe;
  const shape = fullShape(recipe);
  const inputs: { [name: string]: Node } = {};
  const feeds = new Map<Node, Tensor>();
  const feed = (name: string, inputShape: ConcreteShape, inputDType: 'int32' | FloatDType = dtype): Node => {
    const node = input(inputShape, { dtype: inputDType, name });
    const data = values[name];
    if (data === undefined) throw new RangeError(`buildLossGraph: no values for input '${name}'`);
    inputs[name] = node;
    feeds.set(node, tensor([...data], { dtype: inputDType, shape: inputShape }));
    return node;
  };
  const givens: Node[] = [];
  const clips: GuardRange[] = [];
  const keras = (p: Node): Node => {
    clips.push({ clipped: p, lo: EPSILON, hi: 1 - EPSILON });
    return clip(p, EPSILON, 1 - EPSILON);
  };

  const logits = (): Node => {
    let z: Node;
    if (recipe.logits.source === 'input') {
      z = feed('z', shape);
    } else {
      const x = recipe.logits.source === 'affine' ? feed('x', shape) : feed('x', [recipe.batch, 2]);
      const w = recipe.logits.source === 'affine' ? feed('w', [recipe.classes]) : feed('w', [2, recipe.classes]);
      const b = feed('b', [recipe.classes]);
      z = add(recipe.logits.source === 'affine' ? mul(x, w) : matmul(x, w), b);
      givens.push(z);
    }
    return recipe.logits.scale === 1 ? z : mul(z, recipe.logits.scale);
  };

  let value: Node;
  let outerNegation = false;
  switch (loss.family) {
    case 'binary': {
      const built = binary(loss, logits(), loss.form === 'crossEntropy' ? feed('y', shape) : undefined, keras);
      value = built.value;
      outerNegation = built.outer;
      break;
    }
    case 'categorical': {
      const built = categorical(loss, recipe, logits(), keras, feed);
      value = built.value;
      outerNegation = built.outer;
      break;
    }
    case 'sparse': {
      const z = logits();
      const labels = feed('labels', [recipe.batch], 'int32');
      let p = softmaxOf(z, 1, loss.softmax);
      if (loss.clip) p = keras(p);
      const logP = log(p);
      const picked = loss.via === 'gather'
        ? gather(logP, labels, { axis: 1, batchDims: 1 })
        : sum(mul(oneHot(labels, recipe.classes, { dtype }), logP), { axis: 1 });
      value = loss.negate === 'inside' ? neg(picked) : picked;
      outerNegation = loss.negate === 'outer';
      break;
    }
    case 'cancellation':
      value = cancelling(loss, shape, feed);
      break;
    case 'spelling': {
      const info = spellingInfo(loss.name);
      const x: { -readonly [K in keyof SpellingInputs]: SpellingInputs[K] } = { ...spellingInputs(dtype, spellingShapes(recipe)) };
      for (const key of info.uses) {
        x[key] = key === info.logits ? logits() : feed(key, x[key].shape as ConcreteShape, x[key].dtype as 'int32' | FloatDType);
      }
      value = info.spelling.build(x, (v) => v);
      if (info.spelling.dropsGuard === true) clips.push(...guardsOf(value));
      break;
    }
    default:
      return loss satisfies never;
  }

  if (recipe.weights) {
    const weights = feed('weights', elementShape(recipe));
    value = mul(weights, value);
  }
  for (const step of recipe.reduce) {
    if (value.rank === 0) continue;
    const reduce = step.op === 'sum' ? sum : mean;
    value = step.axis === 'all' ? reduce(value, { keepDims: step.keepDims }) : reduce(value, { axis: step.axis, keepDims: step.keepDims });
  }
  if (outerNegation) value = neg(value);
  for (const step of recipe.noise) {
    switch (step.op) {
      case 'scale': value = mul(value, step.by); break;
      case 'shift': value = add(value, step.by); break;
      case 'expFactor': value = mul(value, exp(constant(step.by, { dtype }))); break;
      case 'square': value = square(value); break;
      default: return step satisfies never;
    }
  }
  const built: LossGraph = { case: lossCase, output: value, feeds, inputs, givens, clips };
  Object.defineProperty(built, fc.toStringMethod, { value: () => JSON.stringify(lossCase), enumerable: false });
  return built;
}

/** The scalar value of a constant node, or undefined. */
function constantValue(node: Node): number | undefined {
  const data = node.op === 'constant' ? node.value?.data : undefined;
  return data !== undefined && data.length === 1 ? data[0] : undefined;
}

/**
 * The guards of a spelling written with one (`dropsGuard`): `clip(x, lo, hi)`, `maximum(x, c)`,
 * and `x + eps` (a positive constant up to 1e-3) taken the log of.
 */
function guardsOf(output: Node): GuardRange[] {
  const guards: GuardRange[] = [];
  const nodes = topoSort([output]);
  const logged = new Set(nodes.filter((n) => n.op === 'log').map((n) => n.inputs[0]!));
  for (const node of nodes) {
    const [a, b] = [node.inputs[0], node.inputs[1]];
    if (node.op === 'clip' && a !== undefined) {
      guards.push({ clipped: a, lo: node.attrs['lo'] as number, hi: node.attrs['hi'] as number });
    }
    if ((node.op === 'maximum' || node.op === 'add') && a !== undefined && b !== undefined) {
      const [x, c] = constantValue(b) !== undefined ? [a, constantValue(b)!] : [b, constantValue(a)];
      if (c === undefined) continue;
      if (node.op === 'maximum') guards.push({ clipped: x, lo: c, hi: Infinity });
      else if (logged.has(node) && c > 0 && c <= 1e-3) guards.push({ clipped: x, lo: (2 * c) / GUARD_SLACK, hi: 1 - (2 * c) / GUARD_SLACK, slack: GUARD_SLACK });
    }
  }
  return guards;
}

/** softmax(z) along `axis`, as the op or as exp(z) / sum(exp(z)). */
function softmaxOf(z: Node, axis: number, spelling: 'op' | 'expOverSum'): Node {
  if (spelling === 'op') return softmax(z, axis);
  const e = exp(z);
  return div(e, sum(e, { axis, keepDims: true }));
}

function binary(loss: BinaryLoss, z: Node, y: Node | undefined, keras: (p: Node) => Node): { value: Node; outer: boolean } {
  const p = loss.clip ? keras(sigmoid(z)) : sigmoid(z);
  const oneMinus = (q: Node, spelling: Exclude<BinaryLoss['oneMinusP'], 'log1p'>): Node => {
    switch (spelling) {
      case 'sub': return sub(1, q);
      case 'addNeg': return add(1, neg(q));
      case 'negPlusOne': return add(neg(q), 1);
      case 'mulMinusOne': return add(mul(q, -1), 1);
      default: return spelling satisfies never;
    }
  };
  const logP = log(p);
  const logNotP = loss.oneMinusP === 'log1p' ? log1p(neg(p)) : log(oneMinus(p, loss.oneMinusP));
  const outer = loss.combine === 'outer';
  if (loss.form !== 'crossEntropy' || y === undefined) {
    const term = loss.form === 'logP' ? logP : logNotP;
    return { value: outer ? term : neg(term), outer };
  }
  const times = (a: Node, b: Node): Node => (loss.labelFirst ? mul(a, b) : mul(b, a));
  const notY = oneMinus(y, loss.oneMinusY);
  const positive = times(y, logP);
  const negative = times(notY, logNotP);
  switch (loss.combine) {
    case 'negSum': return { value: neg(add(positive, negative)), outer };
    case 'subTerms': return { value: sub(neg(positive), negative), outer };
    case 'negEach': return { value: add(neg(positive), neg(negative)), outer };
    case 'flipped': return { value: add(times(neg(y), logP), times(sub(y, 1), logNotP)), outer };
    case 'outer': return { value: add(positive, negative), outer };
    default: return loss.combine satisfies never;
  }
}

function categorical(
  loss: CategoricalLoss, recipe: LossRecipe, z: Node, keras: (p: Node) => Node,
  feed: (name: string, shape: ConcreteShape, dtype?: 'int32' | FloatDType) => Node,
): { value: Node; outer: boolean } {
  const axis = softmaxAxis(recipe);
  const outer = loss.negate === 'outer';
  if (loss.form === 'logSumExp') return { value: log(sum(exp(z), { axis })), outer: false };
  let p = softmaxOf(z, axis, loss.softmax);
  if (loss.renormalize) p = div(p, sum(p, { axis, keepDims: true }));
  if (loss.clip) p = keras(p);
  const logP = log(p);
  if (loss.form === 'logSoftmax') return { value: outer ? logP : neg(logP), outer };
  const shape = fullShape(recipe);
  const y = loss.labels === 'oneHot'
    ? oneHot(feed('labels', shape.slice(0, -1), 'int32'), recipe.classes, { dtype: recipe.dtype })
    : feed('y', shape);
  switch (loss.negate) {
    case 'outside': return { value: neg(sum(mul(y, logP), { axis })), outer };
    case 'inside': return { value: sum(neg(mul(y, logP)), { axis }), outer };
    case 'labels': return { value: sum(mul(neg(y), logP), { axis }), outer };
    case 'outer': return { value: sum(mul(y, logP), { axis }), outer };
    default: return loss.negate satisfies never;
  }
}

function cancelling(expr: CancellationExpr, shape: ConcreteShape, feed: (name: string, shape: ConcreteShape) => Node): Node {
  switch (expr.form) {
    case 'log1p': {
      const x = feed('x', shape);
      return log(expr.swap ? add(x, 1) : add(1, x));
    }
    case 'expm1': {
      const x = feed('x', shape);
      return expr.swap ? add(exp(x), -1) : sub(exp(x), 1);
    }
    case 'twoSided': {
      const a = feed('a', shape);
      return expr.swap ? sub(add(a, 1), sub(1, a)) : sub(add(1, a), sub(1, a));
    }
    case 'addSub': {
      const a = feed('a', shape);
      const b = feed('b', shape);
      return sub(expr.swap ? add(b, a) : add(a, b), a);
    }
    default:
      return expr.form satisfies never;
  }
}
