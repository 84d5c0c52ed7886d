/**
 * Forward mode: Jacobian-vector products as graphs, built as the transpose of a VJP.
 *
 * For outputs y = f(x), `vjp` builds g(u) = J(x)^T u for a cotangent u. That graph is linear in
 * u, so the gradient of <g(u), t> with respect to u is J(x) t: the JVP, by a second reverse pass
 * (the "double-VJP" or transposition construction, as JAX's `linear_transpose` and PyTensor's
 * `Rop` fallback do). Every op with a VJP rule therefore has a JVP, with no second rule per op to
 * keep in step, and the result is an ordinary graph the interpreter and the compiled backend run
 * and stabilize, simplify and toDot accept.
 *
 * The cotangent u is a zeros node shaped like each output (`broadcastLike(0, y)`), not a fed
 * input: J t does not depend on u, so evaluating at u = 0 is exact and the JVP graph needs no
 * extra feed. What the construction does not give is forward mode's cost: the JVP graph is about
 * twice the size of the VJP graph, not a single forward sweep.
 * @module
 */
import { isFloat } from './dtype.js';
import { GradError } from './errors.js';
import { vjp } from './grad.js';
import { Node } from './node.js';
import { broadcastLike } from './ops/broadcast-like.js';
import { constant } from './ops/constant.js';
import { input } from './ops/input.js';
import { checkDirections, pairing } from './pairing.js';
import { withScopePath } from './scope.js';

/**
 * Jacobian-vector products: for each output y of `ys`, the directional derivative
 * `sum_k J_k(x) tangents[k]`, where J_k is the Jacobian of y with respect to `xs[k]`. Each tangent
 * has the shape and dtype of its input; each result the shape and dtype of its output. An output
 * that does not depend on any of `xs` gets zeros.
 * @example
 * ```ts
 * const x = input([3], { dtype: 'float64', name: 'x' });
 * const t = input([3], { dtype: 'float64', name: 't' });
 * const [dy] = jvp([x.exp()], [x], [t]);      // exp(x) * t, elementwise, as a graph
 * evaluate(dy, { x: [0, 1, 2], t: [1, 0, 0] }); // [1, 0, 0]
 * ```
 */
export function jvp(ys: readonly Node[], xs: readonly Node[], tangents: readonly Node[]): Node[] {
  if (xs.length !== tangents.length) throw new GradError(`jvp got ${xs.length} inputs but ${tangents.length} tangents`);
  ys.forEach((y) => checkFloat(y, 'differentiate'));
  xs.forEach((x) => checkFloat(x, 'differentiate with respect to'));
  checkDirections(xs, tangents, 'tangent');
  if (ys.length === 0) return [];
  return withScopePath(['jvp'], () => {
    const cotangents = ys.map((y) => broadcastLike(constant(0, { dtype: y.dtype, name: 'u' }), y));
    const grads = vjp(ys, xs, cotangents, { unconnected: 'zeros' });
    if (grads.length === 0) return ys.map((y) => broadcastLike(constant(0, { dtype: y.dtype }), y));
    // <J^T u, t> is a scalar linear in u, so its gradient in u is J t.
    const linearInU = pairing(grads, tangents);
    const one = constant(1, { dtype: linearInU.dtype, name: 'seed' });
    return vjp([linearInU], cotangents, [one], { unconnected: 'zeros' });
  });
}

/**
 * What `linearize` returns: the tangent inputs to feed, and the JVP of each output as a graph
 * of them (linear in the tangents).
 * @example
 * ```ts
 * const { tangents, jvps } = linearize([loss], [W]);
 * ```
 */
export interface Linearized {
  /** One input per differentiated node, shaped like it, named `tangent_<its name>`. */
  readonly tangents: readonly Node[];
  /** The JVP of each output, linear in `tangents`. */
  readonly jvps: readonly Node[];
}

/**
 * The linear map `t -> J(x) t` as a graph with the tangents as inputs: evaluate it with
 * different tangents to get several directional derivatives from one graph (and one compiled
 * plan).
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const { tangents, jvps } = linearize([x.square().sum()], [x]);
 * evaluate(jvps[0]!, { x: [3, 4], tangent_x: [1, 0] }); // 6: the derivative in x[0]
 * ```
 */
export function linearize(ys: readonly Node[], xs: readonly Node[]): Linearized {
  const tangents = xs.map((x) => input(x.shape, { dtype: x.dtype, name: `tangent_${x.name}` }));
  return { tangents, jvps: jvp(ys, xs, tangents) };
}

function checkFloat(node: Node, verb: string): void {
  if (!(node instanceof Node)) throw new GradError(`cannot ${verb} ${String(node)}: it is not a graph node`);
  if (!isFloat(node.dtype)) {
    throw new GradError(`cannot ${verb} ${node}: it is ${node.dtype}, and only float32 and float64 values have derivatives`);
  }
}
