/**
 * Value checks for rewrite rules, element by element: the rewritten graph is within `ulp` of its
 * high-precision reference and finite wherever that reference is, and (unless the rule changes
 * the meaning on purpose) the references of the two graphs agree.
 *
 * Like `expectRewriteAccurate` of the testing kit, with one difference: differences below
 * 1e-50 in absolute value are accepted. The 60-digit reference resolves log(1 + r) only to about
 * 1e-60, so where the exact result is as tiny as -3 e^-709 (logSoftmax of a lane with one
 * dominant logit) it says 0 while the kernel, which uses log1p, has the right digits.
 */
import { evaluate, type Feeds, type Node } from '@stablegrad/core';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';

const RESOLUTION = 1e-50;

/** What to check: the ULP bound, and whether the two graphs must mean the same thing. */
export interface ValueCheck {
  readonly ulp: number;
  /** False for rules that drop Keras-style guards on purpose. Default true. */
  readonly exactMeaning?: boolean;
}

/** Throws, naming the first bad element, unless the rewrite keeps meaning and is accurate and finite. */
export function expectRewriteValues(original: Node, rewritten: Node, feeds: Feeds, check: ValueCheck): void {
  const [truth, truthOriginal] = referenceEvaluate([rewritten, original], feeds);
  const got = evaluate(rewritten, feeds).data;
  const dtype = rewritten.dtype;
  const close = (a: number, b: number) =>
    ulpDistance(a, b, dtype) <= check.ulp || (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= RESOLUTION);
  const at = () => `\n  at ${JSON.stringify(feeds, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))}`;
  for (let i = 0; i < got.length; i++) {
    const expected = truth!.values[i]!;
    const meant = truthOriginal!.values[i]!;
    const value = got[i]!;
    if ((check.exactMeaning ?? true) && !close(meant, expected)) {
      throw new Error(`element ${i}: the graphs mean different things: original ${meant}, rewritten ${expected}${at()}`);
    }
    if (Number.isFinite(expected) && !Number.isFinite(value)) throw new Error(`element ${i}: got ${value}, the truth is ${expected}${at()}`);
    if (!close(value, expected)) {
      throw new Error(`element ${i}: got ${value}, expected ${expected} (${ulpDistance(value, expected, dtype)} ULP > ${check.ulp})${at()}`);
    }
  }
}
