/**
 * Central differences of the high-precision reference, one component at a time, with as many
 * digits as the wanted accuracy needs. The rounding error of (f(x+h) - f(x-h)) / 2h is about
 * 10^-precision times the largest value the computation touches, divided by h: at 60 digits and
 * h = 1e-25 that is 1e-35 for ordinary values, but tiny steps (tiny x) or tiny derivatives next
 * to huge values need more digits, and get them.
 * @module
 */
import type { Node, RefTensor } from '@stablegrad/core';
import { createDecimalMath, type Decimal, type DecimalMath } from './decimal-math.js';
import { runReference } from './reference.js';

/** A numeric derivative and a bound on its error. */
export interface Derivative {
  readonly value: Decimal;
  /** log10 of a bound on |error| (-Infinity when exact). */
  readonly errorLog10: number;
}

/** Central differences of a scalar `y` in the components of `w`. */
export interface CentralDifferences {
  /** Number of components of `w`. */
  readonly size: number;
  /** dy/dw[i], with an error bound of at most 10^targetLog10 when that is reachable. */
  derivative(i: number, targetLog10: number): Derivative;
}

const MAX_PRECISION = 2000;
// Digits of safety for the error estimate (derivatives of y with respect to intermediates,
// accumulated roundings).
const MARGIN = 10;
const maths = new Map<number, DecimalMath>();

/** A DecimalMath of at least `digits` digits (rounded up to a multiple of 50, cached). */
function mathWithPrecision(digits: number): DecimalMath {
  const precision = Math.min(MAX_PRECISION, Math.ceil(digits / 50) * 50);
  let math = maths.get(precision);
  if (math === undefined) maths.set(precision, (math = createDecimalMath(precision)));
  return math;
}

/** The nodes of `nodes` (topologically ordered) whose value depends on `w` (w included). */
export function dependentsOf(nodes: readonly Node[], w: Node): Node[] {
  const set = new Set<Node>([w]);
  for (const node of nodes) if (node.inputs.some((i) => set.has(i))) set.add(node);
  return nodes.filter((n) => set.has(n));
}

/**
 * Prepares central differences of `y` in `w` around the values of a full reference run
 * (`base`, every node kept). Returns null when y does not depend on w. The step is
 * `step * min(|w[i]|, 1)` (`step` at 0), so relative for small values and absolute for large ones.
 */
export function centralDifferences(
  y: Node, w: Node, dependents: readonly Node[], base: ReadonlyMap<Node, RefTensor<Decimal>>,
  dims: ReadonlyMap<string, number>, M: DecimalMath, step: number,
): CentralDifferences | null {
  const x = base.get(w);
  if (x === undefined) return null;
  // What the perturbed runs read: w, plus the inputs of w's dependents that do not depend on w.
  const inside = new Set(dependents);
  const boundary = new Map<Node, RefTensor<Decimal>>();
  for (const node of dependents) for (const input of node.inputs) if (!inside.has(input)) boundary.set(input, base.get(input)!);
  let largest = 0; // decimal exponent of the largest value touched
  for (const t of [...boundary.values(), ...dependents.map((n) => base.get(n)!)]) {
    if (t.dtype === 'int32') continue;
    for (const v of t.data) if (v.isFinite() && !v.isZero()) largest = Math.max(largest, v.e);
  }
  const converted = new Map<DecimalMath, Map<Node, RefTensor<Decimal>>>([[M, boundary]]);
  const givenFor = (Mi: DecimalMath): Map<Node, RefTensor<Decimal>> => {
    let given = converted.get(Mi);
    if (given === undefined) {
      // Copy digits into the other precision's Decimal: operations round to the precision of
      // their first operand's constructor.
      given = new Map([...boundary].map(([node, t]) => [node, { ...t, data: t.data.map((v) => new Mi.Decimal(v)) }]));
      converted.set(Mi, given);
    }
    return given;
  };

  const derivative = (i: number, targetLog10: number): Derivative => {
    const x0 = x.data[i]!;
    const h = x0.isZero() ? new M.Decimal(step) : x0.abs().lt(1) ? x0.abs().mul(step) : new M.Decimal(step);
    const errorAt = (precision: number): number => largest + 1 + MARGIN - precision - h.e;
    const needed = Math.ceil(largest + 1 + MARGIN - h.e - targetLog10);
    const Mi = Number.isFinite(needed) && needed > M.precision ? mathWithPrecision(needed) : M;
    const given = new Map(givenFor(Mi));
    const f = (value: Decimal): Decimal => {
      const data = x.data.map((v) => new Mi.Decimal(v));
      data[i] = value;
      given.set(w, { ...x, data });
      return runReference(dependents, [y], given, new Map(dims), Mi, false).get(y)!.data[0]!;
    };
    const xi = new Mi.Decimal(x0);
    const up = xi.add(h);
    const down = xi.sub(h);
    return { value: f(up).sub(f(down)).div(up.sub(down)), errorLog10: errorAt(Mi.precision) };
  };
  return { size: x.data.length, derivative };
}
