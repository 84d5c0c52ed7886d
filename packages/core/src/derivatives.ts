/**
 * Second derivatives and whole Jacobians, as graphs. `hvp` is a Hessian-vector product for any
 * size. `jacobian` and `hessian` are for small functions: one VJP per output element
 * (reverse) or one JVP per input element (forward), whichever needs fewer, stacked into one node
 * of shape `[...y.shape, ...x.shape]`. Shapes must be concrete: the number of passes is fixed
 * when the graph is built.
 * @module
 */
import { GradError } from './errors.js';
import { grad, type GradOptions, vjp } from './grad.js';
import { jvp } from './jvp.js';
import { checkDirections, pairing } from './pairing.js';
import type { Node } from './node.js';
import { broadcastTo } from './ops/broadcast-to.js';
import { concat } from './ops/concat.js';
import { constant } from './ops/constant.js';
import { reshape } from './ops/reshape.js';
import { withScopePath } from './scope.js';
import { type ConcreteShape, formatShape, type Shape } from './shape.js';
import { tensor } from './tensor.js';

/**
 * Hessian-vector products: H(x) v for a scalar `y`, where H is the Hessian of y with respect to
 * all of `xs` together (`vs[k]` shaped like `xs[k]`), as graphs: one per input. Built as the
 * gradient of <grad y, v> (reverse over reverse): for a symmetric Hessian that is the same product
 * forward-over-reverse gives, and with `jvp` being the transpose of a VJP it is one pass shorter.
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const v = input([2], { dtype: 'float64', name: 'v' });
 * const [hv] = hvp(x.square().sum(), [x], [v]);   // 2 v
 * ```
 */
export function hvp(y: Node, xs: readonly Node[], vs: readonly Node[], options: GradOptions = {}): Node[] {
  if (y.shape.length !== 0) throw new GradError(`hvp needs a scalar output, but ${y} has shape ${formatShape(y.shape)}`);
  if (xs.length !== vs.length) throw new GradError(`hvp got ${xs.length} inputs but ${vs.length} vectors`);
  checkDirections(xs, vs, 'vector');
  if (xs.length === 0) return [];
  return withScopePath(['hvp'], () => {
    const one = constant(1, { dtype: y.dtype, name: 'seed' });
    const grads = vjp([y], xs, [one], options);
    const gradDotV = pairing(grads, vs);
    const seed = constant(1, { dtype: gradDotV.dtype, name: 'seed' });
    return vjp([gradDotV], xs, [seed], { unconnected: 'zeros' });
  });
}

/**
 * Options of `jacobian` and `hessian`.
 * @example
 * ```ts
 * jacobian(y, x, { mode: 'forward', maxPasses: 10_000 });
 * ```
 */
export interface JacobianOptions {
  /**
   * `'reverse'`: one VJP per element of y; `'forward'`: one JVP per element of x; `'auto'`
   * (default): reverse when y has at most as many elements as x, else forward.
   */
  readonly mode?: 'auto' | 'forward' | 'reverse';
  /** Most passes (elements of y in reverse mode, of x in forward mode) allowed; default 1024. */
  readonly maxPasses?: number;
}

const DEFAULT_MAX_PASSES = 1024;

/**
 * The Jacobian of `y` with respect to `x`: a node of shape `[...y.shape, ...x.shape]` whose
 * element `[i..., j...]` is d y[i...] / d x[j...].
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const J = jacobian(x.mul(x.sum()), x);   // [2, 2]: x_i + [i = j] sum(x)
 * evaluate(J, { x: [1, 2] });              // [[4, 1], [2, 5]]
 * ```
 */
export function jacobian(y: Node, x: Node, options: JacobianOptions = {}): Node {
  const yShape = concreteShape(y, 'output');
  const xShape = concreteShape(x, 'input');
  const ySize = sizeOf(yShape);
  const xSize = sizeOf(xShape);
  const mode = options.mode ?? 'auto';
  if (!['auto', 'forward', 'reverse'].includes(mode)) throw new GradError(`jacobian: mode must be 'auto', 'forward' or 'reverse', got ${String(mode)}`);
  const reverse = mode === 'reverse' || (mode === 'auto' && ySize <= xSize);
  const passes = reverse ? ySize : xSize;
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  if (!(Number.isInteger(maxPasses) && maxPasses >= 0)) throw new GradError(`jacobian: maxPasses must be a whole number >= 0, got ${maxPasses}`);
  if (passes > maxPasses) {
    throw new GradError(
      `the Jacobian of ${y} with respect to ${x} needs ${passes} ${reverse ? 'VJPs (one per output element)' : 'JVPs (one per input element)'}, ` +
        `more than maxPasses ${maxPasses}; use vjp, jvp or hvp for products, or raise maxPasses`,
    );
  }
  const shape = [...yShape, ...xShape];
  return withScopePath(['jacobian'], () => {
    if (ySize === 0 || xSize === 0) return broadcastTo(constant(0, { dtype: y.dtype }), shape);
    if (reverse) {
      const rows = basis(yShape, y.dtype).map((e) => reshape(vjp([y], [x], [e])[0]!, [1, xSize]));
      return reshape(concat(rows, 0), shape);
    }
    const columns = basis(xShape, x.dtype).map((e) => reshape(jvp([y], [x], [e])[0]!, [ySize, 1]));
    return reshape(concat(columns, 1), shape);
  });
}

/**
 * The Hessian of a scalar `y` with respect to `x`: a node of shape `[...x.shape, ...x.shape]`,
 * the Jacobian of `grad(y, x)`.
 * @example
 * ```ts
 * const x = input([2], { dtype: 'float64', name: 'x' });
 * const H = hessian(x.square().sum().square(), x); // 4 (x x^T) * 2 + 4 sum(x^2) I, as a graph
 * ```
 */
export function hessian(y: Node, x: Node, options: JacobianOptions = {}): Node {
  if (y.shape.length !== 0) throw new GradError(`hessian needs a scalar output, but ${y} has shape ${formatShape(y.shape)}`);
  return jacobian(grad(y, x), x, options);
}

function concreteShape(node: Node, what: string): ConcreteShape {
  if (!node.shape.every((d): d is number => typeof d === 'number')) {
    throw new GradError(`a Jacobian needs concrete shapes, but the ${what} ${node} has dimensions known only at run time; use jvp or vjp`);
  }
  return node.shape;
}

function sizeOf(shape: Shape): number {
  return shape.reduce<number>((n, d) => n * (d as number), 1);
}

/** The unit tensors e_0, e_1, ... of a shape, as constants. */
function basis(shape: ConcreteShape, dtype: Node['dtype']): Node[] {
  const size = sizeOf(shape);
  return Array.from({ length: size }, (_, k) => {
    const data = new Array<number>(size).fill(0);
    data[k] = 1;
    return constant(tensor(data, { shape: [...shape], dtype }), { name: `e${k}` });
  });
}
