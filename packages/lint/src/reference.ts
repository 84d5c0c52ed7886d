/**
 * The lint's reference evaluation of one sample: every node's true value, rounded once to its
 * dtype. Double-double first (fast); where it cannot be trusted (`DoubleDoubleMath.unreliable`),
 * the decimal arithmetic of `createMixedPrecisionMath` (exact sums and products). Each node also
 * says how many of its elements overflow: a finite true value that rounds to an infinity.
 * @module
 */
import { type BigMath, bindFeeds, type ConcreteShape, type DType, type Node, type RefTensor, type Tensor } from '@stablegrad/core';
import type { DD } from '@stablegrad/core/kernels';
import { type Decimal, type DecimalMath, roundToDType, runReferenceNode, toDecimal } from '@stablegrad/testing';
import { createDoubleDoubleMath, roundDoubleDouble } from './dd-math.js';

/** A node's true value, rounded to its dtype. */
export interface TrueValue {
  readonly dtype: DType;
  readonly shape: ConcreteShape;
  readonly values: readonly number[];
  /** Elements whose true value is finite but rounds to an infinity. */
  readonly overflows: number;
}

/** Which arithmetic gave the values: `fast` double-double, or the `decimal` fallback. */
export type ReferenceKind = 'fast' | 'decimal';

/** True values of every node of `nodes` (in topological order) for `feeds`. */
export function trueValues(
  nodes: readonly Node[], feeds: ReadonlyMap<Node, Tensor>, decimal: DecimalMath,
): { values: Map<Node, TrueValue>; kind: ReferenceKind; reason?: string } {
  const dd = createDoubleDoubleMath();
  const fast = run(nodes, feeds, dd, (x) => [x, 0] as DD, (x, dtype) => {
    const value = roundDoubleDouble(x, dtype);
    // A finite double-double that rounds to an infinity overflows the dtype (float32 past 3.4e38).
    return { value, overflow: Number.isFinite(x[0]) && !Number.isFinite(value) };
  });
  if (!dd.unreliable) return { values: fast, kind: 'fast' };
  const exact = run(nodes, feeds, decimal, (x) => toDecimal(x, decimal.Decimal), (x: Decimal, dtype) => {
    const value = roundToDType(x, dtype);
    return { value, overflow: x.isFinite() && !Number.isFinite(value) };
  });
  return { values: exact, kind: 'decimal', ...(dd.reason === undefined ? {} : { reason: dd.reason }) };
}

function run<T>(
  nodes: readonly Node[], feeds: ReadonlyMap<Node, Tensor>, M: BigMath<T>, fromNumber: (x: number) => T,
  round: (x: T, dtype: DType) => { value: number; overflow: boolean },
): Map<Node, TrueValue> {
  const { values: fed, dims } = bindFeeds(nodes, feeds);
  const exact = new Map<Node, RefTensor<T>>();
  const result = new Map<Node, TrueValue>();
  for (const node of nodes) {
    const given = fed.get(node);
    const value = given !== undefined
      ? { dtype: given.dtype, shape: given.shape, data: Array.from(given.data, fromNumber) }
      : runReferenceNode(node, node.inputs.map((n) => exact.get(n)!), dims, M);
    exact.set(node, value);
    let overflows = 0;
    const rounded = value.data.map((x) => {
      const r = round(x, value.dtype);
      if (r.overflow) overflows++;
      return r.value;
    });
    result.set(node, { dtype: value.dtype, shape: value.shape, values: rounded, overflows });
  }
  return result;
}
