/**
 * JVP checks: core's forward-mode `jvp`, evaluated with the float kernels along each unit
 * direction, against the same high-precision central differences `checkGrad` uses. The JVP of a
 * scalar y along the unit tangent e_j is d y / d x_j, so the comparison is component by
 * component, with `checkGrad`'s tolerances and report.
 * @module
 */
import { evaluate, type Feeds, GradError, linearize, type Node, type Tensor, tensor, type TensorLike } from '@stablegrad/core';
import { checkGrad, type CheckGradOptions, type GradCheckReport } from './check-grad.js';
import { describeFeeds, formatNumber } from './format.js';

/**
 * Checks `jvp` for a scalar `y` with respect to `wrt` at each point (feeds as for `evaluate`):
 * one linearized graph, evaluated along every unit tangent, against central differences of the
 * reference evaluator. Options and report as for `checkGrad` (its `analytic` option is taken).
 * @example
 * ```ts
 * const x = input([3], { dtype: 'float64', name: 'x' });
 * checkJvp(x.exp().sum(), [x], [{ x: [0, 1, -2] }], { ulp: 1 }).ok; // true
 * ```
 */
export function checkJvp(y: Node, wrt: readonly Node[], points: readonly Feeds[], options: Omit<CheckGradOptions, 'analytic'> = {}): GradCheckReport {
  if (y.shape.length !== 0) throw new GradError(`checkJvp needs a scalar output, got ${y}`);
  const { tangents, jvps } = linearize([y], wrt);
  const directional = jvps[0]!;
  const analytic = (feeds: Feeds): Tensor[] => {
    const values = evaluate([...wrt], feeds);
    const zeros = values.map((v) => tensor(new Array<number>(v.data.length).fill(0), { shape: v.shape, dtype: v.dtype }));
    return values.map((v, k) => {
      const components = Array.from(v.data, (_, j) => {
        const unit = new Array<number>(v.data.length).fill(0);
        unit[j] = 1;
        const along = tangents.map((_t, i) => (i === k ? tensor(unit, { shape: v.shape, dtype: v.dtype }) : zeros[i]!));
        return evaluate(directional, withTangents(feeds, tangents, along)).data[0]!;
      });
      return tensor(components, { shape: v.shape, dtype: v.dtype });
    });
  };
  return checkGrad(y, wrt, points, { ...options, analytic });
}

/**
 * Runs `checkJvp` and throws an Error that names the worst component when it fails.
 * @example
 * ```ts
 * assertJvpClose(loss, [W, b], [{ x: batch, y: labels }], { rtol: 1e-6 });
 * ```
 */
export function assertJvpClose(y: Node, wrt: readonly Node[], points: readonly Feeds[], options: Omit<CheckGradOptions, 'analytic'> = {}): GradCheckReport {
  const report = checkJvp(y, wrt, points, options);
  if (report.ok) return report;
  const w = report.worst!;
  throw new Error(
    `JVP check failed: ${report.failed} of ${report.checked} components out of tolerance (${report.tolerance}).\n` +
      `Worst: d '${y.path}' along unit ${w.index} of ${w.node}, point ${w.point} (${describeFeeds(points[w.point]!)}):\n` +
      `  jvp ${formatNumber(w.analytic)}, numeric ${formatNumber(w.numeric)} (${w.excess.toPrecision(3)} times the allowed error)`,
  );
}

function withTangents(feeds: Feeds, tangents: readonly Node[], values: readonly TensorLike[]): Feeds {
  if (feeds instanceof Map) {
    const merged = new Map(feeds);
    tangents.forEach((t, i) => merged.set(t, values[i]!));
    return merged;
  }
  const merged: Record<string, TensorLike> = { ...(feeds as Record<string, TensorLike>) };
  tangents.forEach((t, i) => {
    merged[t.name] = values[i]!;
  });
  return merged;
}
