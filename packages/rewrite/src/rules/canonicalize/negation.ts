/**
 * Canonical forms for subtraction and negation, so that one stabilize pattern covers `1 - p`,
 * `-p + 1`, `1 + (-1) * p` and `log1p(-p)`: subtraction becomes addition of a negation, and
 * negations move outward through products, quotients, sums and means. Two rules bring the
 * other spellings of a cross-entropy to `y log p + (1 - y) log(1 - p)`: `(y - 1) log q` becomes
 * `-((1 - y) log q)`, and a log term minus a multiple of the same log term is factored
 * (`log q - y log q` is `(1 - y) log q`).
 * @module
 */
import { add, type AttrValue, constant, div, hasTrait, input, log, log1p, mean, mul, neg, type Node, opsWith, sub, sum } from '@stablegrad/core';
import { isConstantNear, sameAttr } from '../../match.js';
import { attr, bind, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { broadcastFits, isConstant, keepsShape, sameValue, type SignedTerm, signedNode, termsOf } from '../_guards.js';

const a = v('a');
const b = v('b');
const x = v('x');
const named = (name: string) => () => input([3], { name });

export const subToAddNeg = rule({
  name: 'sub-to-add-neg',
  doc: 'a - b is a + (-b), so patterns need only one spelling of differences',
  pattern: P.sub(a, b),
  replace: (m) => add(m.a, neg(m.b)),
  examples: [{ before: () => sub(named('a')(), named('b')()), after: 'add(a, neg(b))' }],
});

export const doubleNegation = rule({
  name: 'double-negation',
  doc: '-(-x) is x',
  pattern: P.neg(P.neg(x)),
  replace: (m) => m.x,
  examples: [{ before: () => neg(neg(named('x')())), after: 'x' }],
});

export const minusOneTimes = rule({
  name: 'minus-one-times',
  doc: '(-1) * x is -x',
  pattern: P.mul(bind('minusOne', c(-1)), x),
  // Keep the broadcast shape when the -1 is the larger operand (a [2, 3] tensor of -1 times an x of [1, 3]).
  guard: (m) => keepsShape(m.x, m.$root, [m.minusOne]),
  replace: (m) => neg(m.x),
  examples: [{ before: () => mul(-1, named('x')()), after: 'neg(x)' }],
});

export const negationOutOfProduct = rule({
  name: 'negation-out-of-product',
  doc: '(-a) * b is -(a * b)',
  pattern: P.mul(P.neg(a), b),
  // Keep the user's operand order: w * (-x) becomes -(w * x).
  replace: (m) => neg(m.$root.inputs[0]!.op === 'neg' ? mul(m.a, m.b) : mul(m.b, m.a)),
  examples: [{ before: () => mul(named('b')(), neg(named('a')())), after: 'neg(mul(b, a))' }],
});

export const negationOutOfQuotient = rule({
  name: 'negation-out-of-quotient',
  doc: '(-a) / b is -(a / b)',
  pattern: P.div(P.neg(a), b),
  replace: (m) => neg(div(m.a, m.b)),
  examples: [{ before: () => div(neg(named('a')()), named('b')()), after: 'neg(div(a, b))' }],
});

export const negationOutOfSum = rule({
  name: 'negation-out-of-sum',
  doc: '(-a) + (-b) is -(a + b)',
  pattern: P.add(P.neg(a), P.neg(b)),
  replace: (m) => neg(add(m.a, m.b)),
  examples: [{ before: () => add(neg(named('a')()), neg(named('b')())), after: 'neg(add(a, b))' }],
});

const reduceAttrs = { axes: attr('axes'), keepDims: attr('keepDims') };
const reduceWith = (reducer: typeof sum, x: Node, attrs: { readonly [k: string]: AttrValue }) =>
  reducer(x, { axis: attrs.axes as number[], keepDims: attrs.keepDims as boolean });

export const negationOutOfReduction = rule({
  name: 'negation-out-of-reduction',
  doc: 'sum(-x) is -sum(x), and mean(-x) is -mean(x)',
  pattern: op(['sum', 'mean'], [P.neg(x)], reduceAttrs),
  replace: (m) => neg(reduceWith(m.$root.op === 'sum' ? sum : mean, m.x, m.$attrs)),
  examples: [{ before: () => mean(neg(named('x')())), after: 'neg(mean{axes=[0]}(x))' }],
});

export const log1pToLog = rule({
  name: 'log1p-to-log',
  doc: 'log1p(x) is log(1 + x) while canonicalizing; stabilize turns what is left back into log1p',
  pattern: P.log1p(x),
  replace: (m) => log(add(1, m.x)),
  examples: [{ before: () => log1p(named('x')()), after: 'log(add(1, x))' }],
});

/** True for `-1` spelled as a constant or as `neg(1)`. */
const isMinusOne = (node: Node): boolean =>
  isConstantNear(node, -1) || (node.op === 'neg' && isConstantNear(node.inputs[0]!, 1));
/** The constant inside a `-1` (the node itself, or the `1` under `neg`). */
const constantOf = (node: Node): Node => (node.op === 'neg' ? node.inputs[0]! : node);
/** Logarithms, the factors that cross-entropy spellings move between terms. */
const LOGS = opsWith('logarithm');
const isLog = (node: Node): boolean => hasTrait(node.op, 'logarithm');

export const minusOneOutOfLogProduct = rule({
  name: 'label-difference-to-negation',
  doc: '(y - 1) * log(q) is -((1 - y) * log(q)), so a cross-entropy written with y - 1 meets the usual 1 - y',
  // (y - 1) L = -((1 - y) L), exactly: y - 1 and 1 - y round to negatives of each other
  pattern: P.mul(bind('diff', P.add(a, b)), bind('l', op(LOGS, [x]))),
  // Not for a constant y (folding handles it, and 1 - 1 would match again); the -1 broadcasts nothing.
  guard: (m) => isMinusOne(m.b) && !isConstant(m.a) && keepsShape(m.a, m.diff, [constantOf(m.b)]),
  replace: (m) => {
    const oneMinus = add(1, neg(m.a));
    return neg(m.$root.inputs[0] === m.diff ? mul(oneMinus, m.l) : mul(m.l, oneMinus));
  },
  examples: [
    { before: () => mul(sub(named('y')(), 1), log(named('q')())), after: 'neg(mul(add(1, neg(y)), log(q)))' },
    { before: () => mul(log(named('q')()), add(named('y')(), -1)), after: 'neg(mul(log(q), add(1, neg(y))))' },
  ],
});

/** A term of a sum as sign * coefficient * log, or null when it has no log factor. */
interface LogTerm { readonly negative: boolean; readonly coefficient: Node | null; readonly log: Node }

function logTermOf({ body, negative }: SignedTerm): LogTerm | null {
  if (isLog(body)) return { negative, coefficient: null, log: body };
  if (body.op !== 'mul') return null;
  const [p, q] = body.inputs as [Node, Node];
  if (isLog(q)) return { negative, coefficient: p, log: q };
  if (isLog(p)) return { negative, coefficient: q, log: p };
  return null;
}

/** Same node, or the same op with the same attributes on the same (structurally) inputs. */
function sameTerm(p: Node, q: Node): boolean {
  if (p === q) return true;
  if (isConstant(p) || isConstant(q)) return sameValue(p, q);
  if (p.op !== q.op || p.dtype !== q.dtype || p.inputs.length !== q.inputs.length || p.op === 'input' || p.op === 'param') return false;
  const keys = Object.keys(p.attrs);
  return keys.length === Object.keys(q.attrs).length && keys.every((k) => k in q.attrs && sameAttr(p.attrs[k]!, q.attrs[k]!)) &&
    p.inputs.every((input, i) => sameTerm(input, q.inputs[i]!));
}

const constantLike = (value: number, like: Node): Node => constant(value, { dtype: like.dtype });

/**
 * The terms of `root` with a log term and a subtracted multiple of the same log merged into one
 * (`a L - b L` is `(a - b) L`, with a or b = 1 for a bare log, but not both), or null. The
 * terms are signed, so a negated group counts: `-(y log p + log q) + y log q` has the terms
 * `-y log p`, `-log q` and `y log q`.
 */
function factored(root: Node): Node[] | null {
  const terms = termsOf(root);
  if (terms === null) return null;
  const parsed = terms.map(logTermOf);
  for (let j = 0; j < terms.length; j++) {
    const minus = parsed[j];
    if (minus === null || minus === undefined || !minus.negative) continue;
    for (let i = 0; i < terms.length; i++) {
      const plus = parsed[i];
      if (i === j || plus === null || plus === undefined || plus.negative) continue;
      if ((plus.coefficient === null && minus.coefficient === null) || !sameTerm(plus.log, minus.log)) continue;
      const coefficient = add(plus.coefficient ?? constantLike(1, plus.log), neg(minus.coefficient ?? constantLike(1, minus.log)));
      const merged = mul(coefficient, plus.log);
      const first = Math.min(i, j);
      return terms.flatMap((t, k) => (k === first ? [merged] : k === i || k === j ? [] : [signedNode(t)]));
    }
  }
  return null;
}

export const factorLogTerm = rule({
  name: 'factor-log-term',
  doc: 'a log(q) + ... - b log(q) is (a - b) log(q) + ... (a = 1 for a bare log; any signs), so an expanded cross-entropy meets the factored one',
  // L + A - y L = (1 - y) L + A; a L - b L = (a - b) L
  pattern: P.add(a, b),
  guard: (m) => {
    const terms = factored(m.$root);
    return terms !== null && terms.every((t) => t.dtype === m.$root.dtype) && broadcastFits(terms, m.$root);
  },
  replace: (m) => factored(m.$root)!.reduce((total, t) => add(total, t)),
  examples: [
    {
      before: () => { const [y, q] = [named('y')(), log(named('q')())]; return sub(add(mul(y, log(named('p')())), q), mul(y, q)); },
      after: 'add(mul(y, log(p)), mul(add(1, neg(y)), log(q)))',
    },
    { before: () => { const q = log(named('q')()); return sub(mul(named('a')(), q), mul(named('b')(), q)); }, after: 'mul(add(a, neg(b)), log(q))' },
    // every term negated: -y log p - log q + y log q (the first two are grouped first, -(y log p + log q))
    {
      before: () => { const [y, q] = [named('y')(), log(named('q')())]; return add(sub(neg(mul(y, log(named('p')()))), q), mul(y, q)); },
      after: 'neg(add(mul(y, log(p)), mul(add(1, neg(y)), log(q))))',
    },
  ],
});

/**
 * The rules that move negations outward. Stabilize runs them again after its fusions, which
 * come out negated inside the user's reductions and products (`-mean(-sigmoidCE)`), so that the
 * user's `-(...)` meets the fusion's negation and cancels.
 */
export const negationMovingRules = [doubleNegation, negationOutOfProduct, negationOutOfQuotient, negationOutOfSum, negationOutOfReduction];

/** The negation rules, in the order they are tried. */
export const negationRules = [
  subToAddNeg, doubleNegation, minusOneTimes, negationOutOfProduct, negationOutOfQuotient, negationOutOfSum,
  negationOutOfReduction, log1pToLog, minusOneOutOfLogProduct, factorLogTerm,
];
