/**
 * The rule sets, in the order they are tried. Each family lives in its own file; this file only
 * orders them into the three phases.
 * @module
 */
import type { Phase } from '../rule.js';
import { negationRules } from './canonicalize/negation.js';
import { sigmoidRules } from './stabilize/sigmoid.js';

/** Canonical forms, so that one stabilize pattern covers many spellings. */
export const canonicalizeRules = [...negationRules];

/** Numerical stabilization: logit forms, fused cross-entropies, accuracy rewrites. */
export const stabilizeRules = [...sigmoidRules];

/** Clean-up: constant folding, common subexpressions, identities, readable forms. */
export const simplifyRules = [] as const;

/** The three phases of `stabilize`, in order. */
export const PHASES: readonly Phase[] = [
  { name: 'canonicalize', rules: canonicalizeRules },
  { name: 'stabilize', rules: stabilizeRules },
  { name: 'simplify', rules: simplifyRules },
];
