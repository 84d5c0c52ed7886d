/** Graphs shared by the dot tests: a 3-layer MLP with a hand-written (naive) binary cross-entropy. */
import { add, type Node, input, log, mean, mul, neg, param, scope, sigmoid, sub, tensor } from '@stablegrad/core';

/** `-mean(y log p + (1 - y) log(1 - p))` with `p = sigmoid(z)`, written as a user writes it. */
export function naiveBce(z: Node, y: Node): Node {
  return scope('loss', () => {
    const p = sigmoid(z);
    return neg(mean(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
  });
}

/** A dense layer: `act(h W + b)` in scope `name`, with its params. */
function dense(name: string, h: Node, sizes: readonly [number, number], relu: boolean): { out: Node; params: Node[] } {
  return scope(name, () => {
    const [nin, nout] = sizes;
    const W = param(tensor(Array.from({ length: nin }, (_, i) => Array.from({ length: nout }, (_, j) => ((i + 2 * j) % 5) / 10 - 0.2))), { name: 'W' });
    const b = param(tensor(new Array<number>(nout).fill(0)), { name: 'b' });
    const z = h.matmul(W).add(b);
    return { out: relu ? z.relu() : z, params: [W, b] };
  });
}

/** A 3-layer MLP (4 -> 3 -> 3 -> 1) with a naive sigmoid cross-entropy loss. */
export function mlp(): { x: Node; y: Node; loss: Node; params: Node[] } {
  const x = input(['batch', 4], { name: 'x' });
  const y = input(['batch', 1], { name: 'y' });
  const l1 = dense('dense_1', x, [4, 3], true);
  const l2 = dense('dense_2', l1.out, [3, 3], true);
  const l3 = dense('dense_3', l2.out, [3, 1], false);
  return { x, y, loss: naiveBce(l3.out, y), params: [...l1.params, ...l2.params, ...l3.params] };
}

/**
 * A deep MLP as `sequential` builds one: `layers` dense layers (`dense_1`, ...) of `width` units
 * with relu, `inputs` features, then the mean squared error against `y`. Weights are small fixed
 * numbers: only the structure matters for pictures.
 */
export function deepMlp(layers: number, width = 4, inputs = 6): { loss: Node; params: Node[] } {
  const x = input(['batch', inputs], { name: 'x' });
  let h = x;
  const params: Node[] = [];
  for (let k = 1; k <= layers; k++) {
    const layer = dense(`dense_${k}`, h, [k === 1 ? inputs : width, width], true);
    h = layer.out;
    params.push(...layer.params);
  }
  const y = input(['batch', width], { name: 'y' });
  const loss = scope('loss', () => mean(mul(sub(h, y), sub(h, y))));
  return { loss, params };
}
