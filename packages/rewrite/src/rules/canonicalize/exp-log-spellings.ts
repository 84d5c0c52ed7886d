/**
 * Logs of sums and differences of exponentials, brought to the ops made for them:
 * `log(exp(a) + exp(b))` is `logaddexp(a, b)` (no overflow where exp(a) does, no -Infinity
 * where both underflow), `1 - exp(x)` is `-expm1(x)` (its digits kept for x near 0, PyTorch's
 * focal loss `1 - exp(-ce)`), and `log(1 - exp(x))` is `log1mexp(x)` (Mächler's split,
 * accurate for every x < 0, where the naive form is -Infinity near 0 and 0 far below it).
 * Patterns see the canonical forms: `1 - e` arrives as `add(1, neg(e))`.
 * @module
 */
import { add, exp, expm1, input, log, log1mexp, logaddexp, neg, sub } from '@stablegrad/core';
import { bind, c, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { keepsShape } from '../_guards.js';

const x = v('x');
const named = (name: string) => input([3], { name });

/** log(exp(a) + exp(b)) -> logaddexp(a, b). */
export const logOfAddedExps = rule({
  name: 'log-add-exp',
  doc: 'log(exp(a) + exp(b)) is logaddexp(a, b), which subtracts the larger argument and cannot overflow or underflow to -Infinity',
  // log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|)
  pattern: P.log(P.add(P.exp(v('a')), P.exp(v('b')))),
  guard: (m) => m.a.dtype === m.$root.dtype,
  replace: (m) => logaddexp(m.a, m.b),
  examples: [{ before: () => log(add(exp(named('a')), exp(named('b')))), after: 'logaddexp(a, b)' }],
});

/** log(-expm1(x)) -> log1mexp(x). */
export const logOfNegatedExpm1 = rule({
  name: 'log-of-negated-expm1',
  doc: 'log(-expm1(x)) is log1mexp(x), which also stays accurate far below 0, where -expm1(x) rounds to 1',
  // log(-(e^x - 1)) = log(1 - e^x)
  pattern: P.log(P.neg(P.expm1(x))),
  replace: (m) => log1mexp(m.x),
  examples: [
    { before: () => log(neg(named('x').expm1())), after: 'log1mexp(x)' },
    // log(1 - exp(x)): one-minus-exp makes the difference -expm1(x) first
    { before: () => log(sub(1, exp(named('x')))), after: 'log1mexp(x)' },
  ],
});

/** 1 - exp(x) -> -expm1(x). */
export const oneMinusExp = rule({
  name: 'one-minus-exp',
  doc: '1 - exp(x) is -expm1(x), which keeps the digits of a small x that the difference cancels away (focal loss: 1 - exp(-ce))',
  // 1 - e^x = -(e^x - 1)
  pattern: P.add(bind('one', c(1)), P.neg(P.exp(x))),
  guard: (m) => keepsShape(m.x, m.$root, [m.one]),
  replace: (m) => neg(expm1(m.x)),
  examples: [{ before: () => sub(1, exp(neg(named('ce')))), after: 'neg(expm1(neg(ce)))' }],
});

/** The exp/log spellings, in the order they are tried. */
export const expLogSpellingRules = [logOfAddedExps, logOfNegatedExpm1, oneMinusExp];
