/**
 * Reverse-mode autodiff that returns graph nodes. A topological order and one reversed loop:
 * each node's cotangent is the sum of what its users sent back, and its op's VJP rule turns that
 * into cotangents for its inputs. The result is an ordinary graph, so it can be differentiated
 * again (second derivatives, Hessian-vector products), printed, rewritten or drawn.
 * @module
 */
import { isFloat } from './dtype.js';
import { GradError } from './errors.js';
import { topoSort } from './graph.js';
import { Node } from './node.js';
import { add } from './ops/add.js';
import { broadcastLike } from './ops/broadcast-like.js';
import { constant } from './ops/constant.js';
import { opDef } from './registry.js';
import { withScopePath } from './scope.js';
import { formatShape, mayBeSameShape } from './shape.js';

/**
 * What to return for an input the output does not depend on.
 * @example
 * ```ts
 * grad(loss, [W, unused]);                           // unused gets zeros
 * grad(loss, [W, unused], { unconnected: 'error' }); // GradError
 * ```
 */
export interface GradOptions {
  /** `'zeros'` (default) gives zeros shaped like the input; `'error'` throws a GradError. */
  readonly unconnected?: 'zeros' | 'error';
}

/**
 * Gradient of a scalar `y` with respect to `xs`, as graph nodes.
 * Inputs `y` does not depend on get zeros (or a GradError with `unconnected: 'error'`);
 * int32 inputs and non-scalar outputs are GradErrors.
 * @example
 * ```ts
 * const z = input([], { dtype: 'float64', name: 'z' });
 * const dz = grad(softplus(z), z);          // sigmoid(z), as a graph
 * const d2z = grad(dz, z);                  // sigmoid(z) (1 - sigmoid(z))
 * ```
 */
export function grad(y: Node, xs: Node, options?: GradOptions): Node;
export function grad(y: Node, xs: readonly Node[], options?: GradOptions): Node[];
export function grad(y: Node, xs: Node | readonly Node[], options: GradOptions = {}): Node | Node[] {
  if (y.shape.length !== 0) {
    throw new GradError(`grad needs a scalar output, but ${y} has shape ${formatShape(y.shape)}; reduce it (sum, mean) or use vjp`);
  }
  const one = withScopePath(['grad'], () => constant(1, { dtype: y.dtype, name: 'seed' }));
  const list = xs instanceof Node ? [xs] : xs;
  const grads = vjp([y], list, [one], options);
  return xs instanceof Node ? grads[0]! : grads;
}

/**
 * Vector-Jacobian products: the gradient of `sum_i <cotangents[i], ys[i]>` with respect to each
 * of `xs`. Each cotangent has the shape and dtype of its output.
 * @example
 * ```ts
 * const [gx] = vjp([y], [x], [input(y.shape, { name: 'v' })]);
 * ```
 */
export function vjp(ys: readonly Node[], xs: readonly Node[], cotangents: readonly Node[], options: GradOptions = {}): Node[] {
  if (ys.length !== cotangents.length) throw new GradError(`vjp got ${ys.length} outputs but ${cotangents.length} cotangents`);
  ys.forEach((y) => checkFloat(y, 'differentiate'));
  xs.forEach((x) => checkFloat(x, 'differentiate with respect to'));
  ys.forEach((y, i) => {
    const ct = cotangents[i]!;
    if (ct.dtype !== y.dtype || !mayBeSameShape(ct.shape, y.shape)) {
      throw new GradError(`cotangent ${ct} does not match output ${y} (need shape ${formatShape(y.shape)}, dtype ${y.dtype})`);
    }
  });

  const nodes = topoSort(ys);
  const wanted = new Set(xs);
  // Only nodes that depend on some x can carry a gradient to an x.
  const onPath = new Set<Node>();
  for (const node of nodes) {
    if (wanted.has(node) || node.inputs.some((i) => onPath.has(i))) onPath.add(node);
  }

  const contributions = new Map<Node, Node[]>();
  const send = (node: Node, g: Node): void => {
    const list = contributions.get(node);
    if (list === undefined) contributions.set(node, [g]);
    else list.push(g);
  };
  ys.forEach((y, i) => onPath.has(y) && send(y, cotangents[i]!));

  const total = new Map<Node, Node>();
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    const parts = contributions.get(node);
    if (parts === undefined) continue;
    contributions.delete(node);
    const cotangent = withScopePath(['grad', ...node.scope], () => parts.reduce((a, b) => add(a, b)));
    total.set(node, cotangent);
    if (node.inputs.length === 0) continue;
    const inputGrads = withScopePath(['grad', ...node.scope], () =>
      opDef(node.op).vjp({ inputs: node.inputs, output: node, attrs: node.attrs, cotangent }),
    );
    node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (!onPath.has(input) || !isFloat(input.dtype) || g === null || g === undefined) return;
      checkVjpResult(node, input, g);
      send(input, g);
    });
  }

  return xs.map((x) => {
    const g = total.get(x);
    if (g !== undefined) return g;
    if (options.unconnected === 'error') {
      throw new GradError(`the output does not depend on ${x}, so it has no gradient (pass unconnected: 'zeros' for zeros)`);
    }
    return withScopePath(['grad', ...x.scope], () => broadcastLike(constant(0, { dtype: x.dtype }), x));
  });
}

function checkFloat(node: Node, verb: string): void {
  if (!isFloat(node.dtype)) {
    throw new GradError(`cannot ${verb} ${node}: it is ${node.dtype}, and only float32 and float64 values have gradients`);
  }
}

// A VJP rule that returns the wrong shape is a bug in the op file: fail loudly where it happens.
function checkVjpResult(node: Node, input: Node, g: Node): void {
  if (g.dtype !== input.dtype || !mayBeSameShape(g.shape, input.shape)) {
    throw new GradError(`VJP of ${node} gave ${g} for input ${input}: shape or dtype differs`);
  }
}
