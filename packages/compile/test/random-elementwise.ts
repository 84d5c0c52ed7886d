/**
 * Random elementwise programs for the compile-vs-interpreter property: a DAG of the registry's
 * elementwise ops (and a few ops that are not, which cut fusion: `clip`, `sum` with kept axes,
 * a reshape view) over inputs whose shapes are sub-shapes of `[a, b, c]`. Any two such shapes
 * broadcast, and together they exercise every read mode of a fused loop: the same shape
 * (`full`), one value (`scalar`), a trailing block like `[c]` or `[b, c]` against `[a, b, c]`
 * (`suffix`), a leading block like `[a, 1, 1]` or `[b, 1]` (`outer`), and middle broadcasts like
 * `[a, 1, c]` or `[1, b, 1]`, which no read mode covers, so the loop must fall back to kernels.
 * A case is plain data (a recipe and two sets of input values), so fast-check shrinks it.
 * @module
 */
import { fc } from '@fast-check/vitest';
import { apply, input, type Node, OP_NAMES, type OpName, opDef, sum, type Tensor, tensor } from '@stablegrad/core';
import { type FloatDType, floatOf } from '@stablegrad/testing';

/** Input shapes as patterns over the dims `[a, b, c]`, aligned on the right; `1` is a broadcast axis. */
export const SHAPE_PATTERNS = ['abc', 'bc', 'c', '', '1', 'a1c', 'ab1', 'a11', '1b1', '1bc', 'b1', '1c', '11c'] as const;
export type ShapePattern = (typeof SHAPE_PATTERNS)[number];

/** The registry's elementwise ops (the fused loops' vocabulary), plus three that cut fusion. */
export const ELEMENTWISE_OPS: readonly OpName[] = OP_NAMES.filter((name) => opDef(name).elementwise !== undefined);
const CUTS = ['clip', 'sumKeepDims', 'view'] as const;
export type StepOp = OpName | (typeof CUTS)[number];

/** One instruction: an op over earlier values, picked by index (modulo what is available). */
export interface Step {
  readonly op: StepOp;
  readonly operands: readonly [number, number, number];
}

/** A program without its values. */
export interface ElementwiseRecipe {
  readonly dtype: FloatDType;
  readonly dims: readonly [number, number, number];
  readonly inputs: readonly ShapePattern[];
  readonly steps: readonly Step[];
  /** Extra outputs besides the last value (indices into inputs and steps, modulo). */
  readonly extraOutputs: readonly number[];
}

/** A program and two sets of input values (the executable runs twice). */
export interface ElementwiseCase {
  readonly recipe: ElementwiseRecipe;
  readonly values: readonly (readonly (readonly number[])[])[];
}

/** The concrete shape of a pattern. */
export function shapeOf(pattern: ShapePattern, [a, b, c]: readonly [number, number, number]): number[] {
  return [...pattern].map((ch) => (ch === 'a' ? a : ch === 'b' ? b : ch === 'c' ? c : 1));
}

const step: fc.Arbitrary<Step> = fc.record({
  op: fc.oneof({ arbitrary: fc.constantFrom<StepOp>(...ELEMENTWISE_OPS), weight: 6 }, { arbitrary: fc.constantFrom<StepOp>(...CUTS), weight: 1 }),
  operands: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
});

/**
 * Random recipes.
 * @example
 * ```ts
 * fc.sample(elementwiseRecipe(), 1)[0]!.steps.length; // 1..8
 * ```
 */
export function elementwiseRecipe(): fc.Arbitrary<ElementwiseRecipe> {
  return fc.record({
    dtype: fc.constantFrom<FloatDType>('float32', 'float64'),
    dims: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })),
    inputs: fc.array(fc.constantFrom(...SHAPE_PATTERNS), { minLength: 1, maxLength: 4 }),
    steps: fc.array(step, { minLength: 1, maxLength: 8 }),
    extraOutputs: fc.array(fc.nat(), { maxLength: 2 }),
  });
}

/** Input values: mostly moderate, some from the whole range with NaN and infinities. */
function valueOf(dtype: FloatDType): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: floatOf(dtype, { min: -6, max: 6 }), weight: 4 },
    { arbitrary: floatOf(dtype, { nan: true, infinity: true }), weight: 1 },
  );
}

/**
 * Random cases: a recipe and two sets of values for its inputs.
 * @example
 * ```ts
 * test.prop([elementwiseCase()])('compiled == interpreter', (c) => { ... });
 * ```
 */
export function elementwiseCase(): fc.Arbitrary<ElementwiseCase> {
  return elementwiseRecipe().chain((recipe) => {
    const sizes = recipe.inputs.map((p) => shapeOf(p, recipe.dims).reduce((x, y) => x * y, 1));
    const one = fc.tuple(...sizes.map((n) => fc.array(valueOf(recipe.dtype), { minLength: n, maxLength: n })));
    return fc.tuple(one, one).map((values) => ({ recipe, values }));
  });
}

/** A built program: its output nodes, its inputs and the feeds of each value set. */
export interface BuiltProgram {
  readonly outputs: readonly Node[];
  readonly nodes: readonly Node[];
  readonly feeds: readonly ReadonlyMap<Node, Tensor>[];
}

/** Builds the nodes of a case (fresh at each call). Steps without suitable operands are skipped. */
export function buildProgram({ recipe, values }: ElementwiseCase): BuiltProgram {
  const { dtype, dims } = recipe;
  const inputs = recipe.inputs.map((p, k) => input(shapeOf(p, dims), { dtype, name: `x${k}` }));
  const all: Node[] = [...inputs];
  const floats = (): Node[] => all.filter((n) => n.dtype !== 'int32');
  for (const { op, operands } of recipe.steps) {
    const pick = (list: readonly Node[], k: 0 | 1 | 2): Node => list[operands[k] % list.length]!;
    const x = pick(floats(), 0);
    let node: Node;
    if (op === 'clip') node = x.clip(-2, 3);
    else if (op === 'sumKeepDims') {
      if (x.rank === 0) continue;
      node = sum(x, { axis: operands[1] % x.rank, keepDims: true });
    } else if (op === 'view') node = x.reshape(x.shape);
    else if (op === 'where') node = apply(opDef('where'), [pick(all, 0), pick(floats(), 1), pick(floats(), 2)], {});
    else {
      const arity = opDef(op).arity as number;
      node = apply(opDef(op), [x, pick(floats(), 1), pick(floats(), 2)].slice(0, arity), {});
    }
    all.push(node);
  }
  const outputs = [all[all.length - 1]!, ...recipe.extraOutputs.map((k) => all[k % all.length]!)];
  const feeds = values.map((set) => new Map(inputs.map((x, k) => [x, tensor([...set[k]!], { dtype, shape: x.shape as number[] })])));
  return { outputs, nodes: all, feeds };
}
