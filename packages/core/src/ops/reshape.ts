/**
 * `reshape(x, shape)`: the same row-major data under a new shape. Target entries are sizes,
 * one -1 (inferred from the element count), or dimension names such as `'batch'`, resolved
 * when the graph runs. Names the input also has are kept in the static shape, so
 * `input(['batch', 3, 4]).reshape([-1, 12])` has shape `[batch, 12]`.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp, type DimBindings } from '../op.js';
import { type ConcreteShape, type Dim, formatShape, isConcrete, type Shape, sizeOf } from '../shape.js';
import { reshapeLike } from './reshape-like.js';

/** Checks a reshape target: sizes >= 0, at most one -1, non-empty names; no null. */
function checkTarget(target: readonly Dim[]): void {
  for (const d of target) {
    if (d === null) throw new ShapeError(`reshape target ${formatShape(target)} contains an unknown (null) dimension; use -1 or a dimension name`);
    if (typeof d === 'string' ? d.length === 0 : !Number.isInteger(d) || d < -1) {
      throw new ShapeError(`reshape target ${JSON.stringify(target)} has an invalid entry ${JSON.stringify(d)}`);
    }
  }
  if (target.filter((d) => d === -1).length > 1) throw new ShapeError(`reshape target ${formatShape(target)} has more than one -1`);
}

function mismatch(from: Shape, target: readonly Dim[], detail: string): ShapeError {
  return new ShapeError(`cannot reshape ${formatShape(from)} to ${formatShape(target)}: ${detail}`);
}

function product(dims: readonly Dim[]): number {
  return sizeOf(dims.filter((d): d is number => typeof d === 'number' && d >= 0));
}

/** Run-time shape: names from `dims`; an unbound name is inferred like -1 when it is the only unknown. */
function concreteTarget(from: ConcreteShape, target: readonly Dim[], dims: DimBindings): number[] {
  const out = target.map((d) => (typeof d === 'string' ? (dims.get(d) ?? d) : d));
  let free = out.indexOf(-1);
  const unbound = out.filter((d): d is string => typeof d === 'string');
  if (unbound.length > 0) {
    if (free >= 0 || unbound.length > 1) throw mismatch(from, target, `dimension ${unbound.map((n) => `'${n}'`).join(', ')} is not bound`);
    free = out.indexOf(unbound[0]!);
  }
  const total = sizeOf(from);
  const known = product(out.filter((_, i) => i !== free));
  if (free >= 0) {
    if (known === 0 || total % known !== 0) throw mismatch(from, target, `${total} elements do not split into blocks of ${known}`);
    out[free] = total / known;
  } else if (known !== total) {
    throw mismatch(from, target, `${total} elements vs ${known} (${formatShape(out)})`);
  }
  return out as number[];
}

/** Static shape: infer -1 when the element counts allow it, cancelling names both sides share. */
function staticTarget(from: Shape, target: readonly Dim[]): Dim[] {
  const out: Dim[] = [...target];
  const free = target.indexOf(-1);
  const restIn: Dim[] = from.filter((d) => typeof d !== 'number');
  const restTarget: string[] = [];
  for (const d of target) {
    if (typeof d !== 'string') continue;
    const at = restIn.indexOf(d);
    if (at >= 0) restIn.splice(at, 1);
    else restTarget.push(d);
  }
  const inCount = product(from);
  const targetCount = product(target);
  const determined = restIn.length === 0 && restTarget.length === 0;
  if (free >= 0) {
    if (determined) {
      if (targetCount === 0 || inCount % targetCount !== 0) throw mismatch(from, target, `${inCount} elements do not split into blocks of ${targetCount}`);
      out[free] = inCount / targetCount;
    } else if (restTarget.length === 0 && restIn.length === 1 && inCount === targetCount) {
      out[free] = restIn[0]!;
    } else {
      out[free] = null;
    }
  } else if (determined && inCount !== targetCount) {
    throw mismatch(from, target, `${inCount} elements vs ${targetCount}`);
  }
  return out;
}

export const reshapeOp = defineOp<{ shape: readonly Dim[] }>({
  name: 'reshape',
  traits: ['view', 'movement'],
  arity: 1,
  attrs: { shape: 'shape' },
  infer: ([x], { shape }, dims) => {
    checkTarget(shape);
    const from = x!.shape;
    const out = dims !== undefined && isConcrete(from) ? concreteTarget(from, shape, dims) : staticTarget(from, shape);
    return { shape: out, dtype: x!.dtype };
  },
  // Row-major data does not move.
  kernel: ([x], _attrs, out) => out.data.set(x!.data),
  reference: ([x]) => [...x!.data],
  // reshape is a relabelling; its adjoint reshapes back (at run time when x has unknown dims)
  vjp: ({ inputs, cotangent }) => {
    const x = inputs[0]!;
    return [x.shape.every((d) => d !== null) ? reshape(cotangent, x.shape) : reshapeLike(cotangent, x)];
  },
  dot: ({ shape }) => `reshape ${formatShape(shape)}`,
});

/**
 * Gives `x` a new shape with the same number of elements. Entries: sizes, one -1 to infer,
 * or dimension names bound when the graph runs (from the inputs' shapes).
 * @example
 * ```ts
 * const x = input(['batch', 3, 4]);
 * x.reshape([-1, 12]).shape;       // [batch, 12]
 * x.reshape(['batch', 12]).shape;  // [batch, 12]
 * ```
 */
export function reshape(x: Node, shape: readonly Dim[]): Node {
  checkTarget(shape);
  return apply(reshapeOp, [x], { shape: [...shape] });
}
