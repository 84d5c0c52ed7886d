import { it, expect } from 'vitest';
import { input, param, tensor, type Feeds, type Tensor } from '@stablegrad/core';
import { checkGrad } from '@stablegrad/testing';
it('time', () => {
  const f64 = { dtype: 'float64' } as const;
  const a = input([2], { ...f64, name: 'a' });
  const b = param(tensor([0.5, -1.5], f64), { name: 'b' });
  const unused = input([2], { ...f64, name: 'unused' });
  const e = a.add(b).exp();
  const loss = e.sum();
  const at: Feeds[] = [{ a: [1, 2], unused: [0, 0] }];
  let t = performance.now();
  const report = checkGrad(loss, [a, b, unused, e], at);
  console.log('1', performance.now() - t);
    const wrongB = (feeds: Feeds): Tensor[] => {
      const av = (feeds as { a: number[] }).a;
      const g = tensor([Math.exp(av[0]! + 0.5), Math.exp(av[1]! - 1.5)], f64);
      return [g, tensor([g.data[0]!, 0], f64)];
    };
  t = performance.now();
    const bad = checkGrad(loss, [a, b], at, { analytic: wrongB });
  console.log('2', performance.now() - t, bad.worst?.numeric, bad.worst?.analytic);
  t = performance.now();
    expect(bad.worst).toMatchObject({ node: b, index: 1, analytic: 0 });
  console.log('3', performance.now() - t);
});
