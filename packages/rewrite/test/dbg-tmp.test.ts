import { it, expect } from 'vitest';
import { input, log, mul, neg, softmax, sum, tensor } from '@stablegrad/core';
import { checkGrad } from '@stablegrad/testing';
it('dbg', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const z = input([2, 3], { dtype, name: 'z' });
    const y = input([2, 3], { dtype, name: 'y' });
    const naive = sum(neg(sum(mul(y, log(softmax(z))), { axis: 1 })));
    const r = checkGrad(naive, [z], [{ z: tensor([[20, 0, 0], [1, 2, 3]], { dtype }), y: tensor([[1, 0, 0], [0.5, 0.2, 1.5]], { dtype }) }], { rtol: 8 * (dtype === 'float32' ? 2 ** -24 : 2 ** -53) });
    console.log(dtype, r.ok, r.worst?.analytic, r.worst?.numeric);
  }
});
