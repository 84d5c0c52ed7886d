/**
 * Sigmoid rules: logs of sigmoids become logSigmoid, and `1 - sigmoid(z)` becomes
 * `sigmoid(-z)`. In float32, sigmoid(z) rounds to 1 above z ~ 17 and to 0 below z ~ -104, so
 * `log(1 - sigmoid(z))` and `log(sigmoid(z))` reach -Infinity (and their gradients NaN) while
 * the logit forms stay finite and accurate for every finite z.
 * Patterns see the canonical forms: `1 - p` arrives as `add(1, neg(p))`, `log1p(x)` as `log(1 + x)`.
 * @module
 */
import { input, log, log1p, logSigmoid, neg, sigmoid, sub } from '@stablegrad/core';
import { c, P, v } from '../../pattern.js';
import { keepsShape } from '../_guards.js';
import { rule } from '../../rule.js';

const z = v('z');
const example = () => input([3], { name: 'z' });

/** log(sigmoid(z)) -> logSigmoid(z). */
export const logOfSigmoid = rule({
  name: 'log-sigmoid',
  doc: 'log(sigmoid(z)) is logSigmoid(z) = -softplus(-z), finite where sigmoid(z) rounds to 0',
  pattern: P.log(P.sigmoid(z)),
  replace: (m) => logSigmoid(m.z),
  examples: [{ before: () => log(sigmoid(example())), after: 'logSigmoid(z)' }],
});

/** 1 - sigmoid(z) -> sigmoid(-z). */
export const oneMinusSigmoid = rule({
  name: 'one-minus-sigmoid',
  doc: '1 - sigmoid(z) is sigmoid(-z), which keeps its digits where sigmoid(z) is close to 1',
  pattern: P.add(c(1), P.neg(P.sigmoid(z))),
  // Only when the ones (the root's other input) do not broadcast z to a larger shape.
  guard: (m) => keepsShape(m.z, m.$root, m.$root.inputs.filter((i) => i.op === 'constant')),
  replace: (m) => sigmoid(neg(m.z)),
  examples: [
    { before: () => sub(1, sigmoid(example())), after: 'sigmoid(neg(z))' },
    { before: () => log1p(neg(sigmoid(example()))), after: 'logSigmoid(neg(z))' },
    { before: () => log(sub(1, sigmoid(example()))), after: 'logSigmoid(neg(z))' },
  ],
});

/** The sigmoid rules, in the order they are tried. */
export const sigmoidRules = [logOfSigmoid, oneMinusSigmoid];
