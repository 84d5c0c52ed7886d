/**
 * The rule sets, in the order they are tried. Each family lives in its own file; this file only
 * orders them into the three phases. A rule may serve in more than one phase.
 * @module
 */
import type { Phase } from '../rule.js';
import { doubleNegation, negationMovingRules, negationRules } from './canonicalize/negation.js';
import { reductionRules } from './canonicalize/reduction.js';
import { expLogSpellingRules } from './canonicalize/exp-log-spellings.js';
import { scalingRules } from './canonicalize/scaling.js';
import { sigmoidSpellingRules } from './canonicalize/sigmoid-spellings.js';
import { softmaxSpellingRules } from './canonicalize/softmax-spellings.js';
import { sigmoidRules } from './stabilize/sigmoid.js';
import { kerasRules, logClampRules } from './stabilize/keras.js';
import { softmaxRules } from './stabilize/softmax.js';
import { crossEntropyRules } from './stabilize/cross-entropy.js';
import { binarySpellingRules } from './stabilize/binary-spellings.js';
import { categoricalSpellingRules } from './stabilize/categorical-spellings.js';
import { weightedRules } from './stabilize/weighted.js';
import { accuracyRules, logOnePlusExp } from './stabilize/accuracy.js';
import { varianceRules } from './stabilize/variance.js';
import { foldingRules } from './simplify/folding.js';
import { identityRules } from './simplify/identities.js';
import { shapeRules } from './simplify/shapes.js';
import { readableRules } from './simplify/readable.js';

/**
 * Canonical forms, so that one stabilize pattern covers many spellings: differences as sums of
 * negations, reductions merged, constant factors outside, and the primitives (sigmoid,
 * softplus, logSigmoid, softmax, logSoftmax, logsumexp) recognised from their elementary spellings.
 * @example
 * ```ts
 * rewrite(graph({ loss }), [{ name: 'canonicalize', rules: canonicalizeRules, cse: true }]);
 * canonicalizeRules.map((r) => r.name); // ['sub-to-add-neg', 'double-negation', ...]
 * ```
 */
export const canonicalizeRules = [
  ...negationRules, ...reductionRules, ...scalingRules, logOnePlusExp, ...sigmoidSpellingRules, ...softmaxSpellingRules, ...expLogSpellingRules,
];

/**
 * Numerical stabilization: logit forms, fused cross-entropies, accuracy rewrites.
 * @example
 * ```ts
 * for (const r of stabilizeRules) console.log(`${r.name}: ${r.doc}`);
 * ```
 */
export const stabilizeRules = [
  ...kerasRules, ...sigmoidRules, ...softmaxRules, ...logClampRules, ...crossEntropyRules, ...weightedRules, ...binarySpellingRules, ...categoricalSpellingRules, ...accuracyRules, ...varianceRules,
  // Fusions come out negated inside reductions and products; move those negations out again.
  ...negationMovingRules,
];

/**
 * Clean-up: constant folding, identities, readable forms (common subexpressions: the phase's
 * `cse`). Gradient graphs are only simplified, so double negations are removed here too.
 * @example
 * ```ts
 * const { graph: clean } = rewrite(graph({ dW }), [{ name: 'simplify', rules: simplifyRules, cse: true }]);
 * ```
 */
export const simplifyRules = [...foldingRules, doubleNegation, ...identityRules, ...shapeRules, ...readableRules];

/**
 * The three phases of `stabilize`, in order. Every phase merges common subexpressions, so that
 * a rule needing two operands to be equal can compare nodes: two equal expressions are one node.
 * @example
 * ```ts
 * PHASES.map((p) => p.name);             // ['canonicalize', 'stabilize', 'simplify']
 * rewrite(graph({ loss }), PHASES);      // what stabilize({ loss }) does
 * ```
 */
export const PHASES: readonly Phase[] = [
  { name: 'canonicalize', rules: canonicalizeRules, cse: 'silent' },
  { name: 'stabilize', rules: stabilizeRules, cse: 'silent' },
  { name: 'simplify', rules: simplifyRules, cse: true },
];
