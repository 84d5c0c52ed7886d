/**
 * Value checks for rewrite rules, element by element: the rewritten graph is within `ulp` of its
 * high-precision reference and finite wherever that reference is, and (unless the rule changes
 * the meaning on purpose) the references of the two graphs agree.
 *
 * Like `expectRewriteAccurate` of the testing kit, but when some element fails at 60 digits both
 * references are recomputed with 400 digits, and those decide (no absolute floor). 60 digits are
 * not always enough for the naive original: `log(softmax z)` takes the log of `1 / (1 + r)`,
 * which is 1 at 60 digits for r below ~1e-60 (a lane with one dominant logit, where the truth is
 * as tiny as -3 e^-709), while the fused ops' references keep those digits (log1p of the rest).
 * 400 digits hold the sum of any two float64 values.
 */
import { evaluate, type Feeds, type Node } from '@stablegrad/core';
import { createDecimalMath, referenceEvaluate, ulpDistance } from '@stablegrad/testing';

const PRECISE = { math: createDecimalMath(400) };

/** What to check: the ULP bound, and whether the two graphs must mean the same thing. */
export interface ValueCheck {
  readonly ulp: number;
  /** False for rules that drop Keras-style guards on purpose. Default true. */
  readonly exactMeaning?: boolean;
}

/** Throws, naming the first bad element, unless the rewrite keeps meaning and is accurate and finite. */
export function expectRewriteValues(original: Node, rewritten: Node, feeds: Feeds, check: ValueCheck): void {
  const got = evaluate(rewritten, feeds).data;
  const dtype = rewritten.dtype;
  const close = (a: number, b: number) => ulpDistance(a, b, dtype) <= check.ulp;
  const exactMeaning = check.exactMeaning ?? true;
  const problem = (expected: number, meant: number, value: number): string | null => {
    if (exactMeaning && !close(meant, expected)) return `the graphs mean different things: original ${meant}, rewritten ${expected}`;
    if (Number.isFinite(expected) && !Number.isFinite(value)) return `got ${value}, the truth is ${expected}`;
    if (!close(value, expected)) return `got ${value}, expected ${expected} (${ulpDistance(value, expected, dtype)} ULP > ${check.ulp})`;
    return null;
  };
  let [truth, truthOriginal] = referenceEvaluate([rewritten, original], feeds).map((r) => r.values);
  if (got.some((value, i) => problem(truth![i]!, truthOriginal![i]!, value) !== null)) {
    [truth, truthOriginal] = referenceEvaluate([rewritten, original], feeds, PRECISE).map((r) => r.values);
  }
  const at = () => `\n  at ${JSON.stringify(feeds, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))}`;
  for (let i = 0; i < got.length; i++) {
    const found = problem(truth![i]!, truthOriginal![i]!, got[i]!);
    if (found !== null) throw new Error(`element ${i}: ${found}${at()}`);
  }
}
