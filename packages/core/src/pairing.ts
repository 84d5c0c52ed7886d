/**
 * The two pieces `jvp` and `hvp` share: checking that each direction vector matches its input,
 * and the scalar <g, v> = sum_k sum(g_k * v_k) whose gradient is the product they build.
 * @module
 */
import { GradError } from './errors.js';
import type { Node } from './node.js';
import { add } from './ops/add.js';
import { cast } from './ops/cast.js';
import { mul } from './ops/mul.js';
import { sum } from './ops/sum.js';
import { formatShape, mayBeSameShape } from './shape.js';

/** Throws a GradError unless `vectors[k]` has the dtype and (possibly) the shape of `xs[k]`. */
export function checkDirections(xs: readonly Node[], vectors: readonly Node[], what: 'tangent' | 'vector'): void {
  xs.forEach((x, k) => {
    const v = vectors[k]!;
    if (v.dtype !== x.dtype || !mayBeSameShape(v.shape, x.shape)) {
      throw new GradError(`${what} ${v} does not match input ${x} (need shape ${formatShape(x.shape)}, dtype ${x.dtype})`);
    }
  });
}

/**
 * sum_k sum(gs[k] * vs[k]) as one scalar node; `gs` must not be empty. Mixed float32/float64
 * terms meet in float64 so neither is rounded to the other's precision.
 */
export function pairing(gs: readonly Node[], vs: readonly Node[]): Node {
  const sameDType = gs.every((g) => g.dtype === gs[0]!.dtype);
  return gs
    .map((g, k) => {
      const term = sum(mul(g, vs[k]!));
      return sameDType ? term : cast(term, 'float64');
    })
    .reduce((a, b) => add(a, b));
}
