/**
 * Metamorphic proof of `stabilize`: at least 1,000 random loss graphs per run (hand-written
 * sigmoid/softmax cross-entropies in many spellings, Keras clips, sparse labels, reductions,
 * weights, harmless extra ops, cancelling expressions, every spelling of the LOSS_SPELLINGS
 * catalogue including the look-alikes that must not fuse; float32 and float64; extreme logits),
 * each stabilized and compared with the high-precision reference (claims in
 * ./metamorphic-harness.ts). Shrunk counterexamples go to metamorphic-regressions.test.ts.
 * More cases: STABLEGRAD_PROPERTY_RUNS=5000 (per family, at least the defaults below).
 */
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { LOSS_SPELLINGS, type LossCase, lossCaseOf, type LossRecipe, propertyParams } from '@stablegrad/testing';
import { type CaseOutcome, checkStabilized } from './metamorphic-harness.js';
import { EXCLUDED_SPELLINGS, excluded } from './metamorphic-exclusions.js';

type Family = LossRecipe['loss']['family'];

/**
 * Cases per family; 1,000 in all for the four hand-made families, and 250 more composing the
 * LOSS_SPELLINGS catalogue's spellings (about six per entry) with random logits sources,
 * weights, reductions, extra ops, dtypes and shapes.
 */
const RUNS: Record<Family, number> = { binary: 350, categorical: 300, sparse: 200, cancellation: 150, spelling: 250 };

const SPELLINGS = LOSS_SPELLINGS.map((s) => s.name).filter((name) => !(name in EXCLUDED_SPELLINGS));

const summary: Record<string, number> = {};
const count = (key: string, yes = true): void => {
  if (yes) summary[key] = (summary[key] ?? 0) + 1;
};

afterAll(() => {
  console.log(`metamorphic summary: ${JSON.stringify(summary)}`);
});

describe('stabilize on random loss graphs', () => {
  for (const family of Object.keys(RUNS) as Family[]) {
    it(`${family}: finite and within a few ULP of the reference, same meaning as the original`, () => {
      const params = propertyParams(RUNS[family]);
      const outcomes: CaseOutcome[] = [];
      fc.assert(
        fc.property(lossCaseOf({ families: [family], spellings: SPELLINGS }).filter((c) => !excluded(c)), (lossCase: LossCase) => {
          const outcome = checkStabilized(lossCase);
          outcomes.push(outcome);
          if (outcome.problems.length > 0) throw new Error(outcome.problems.slice(0, 4).join('\n'));
        }),
        { ...params, numRuns: Math.max(params.numRuns, RUNS[family]) },
      );
      for (const o of outcomes) {
        count(`${family}:cases`);
        count(`${family}:rewritten`, o.rewritten);
        count(`${family}:rescued`, o.rescued);
        count(`${family}:improved`, o.improved);
        count(`${family}:clipActive`, o.clipActive);
        if (o.inconclusive > 0) count(`${family}:inconclusive`);
        summary[`${family}:maxUlp`] = Math.max(summary[`${family}:maxUlp`] ?? 0, o.maxUlp);
      }
      // The generator must reach the inputs where naive graphs break.
      expect(outcomes.filter((o) => o.rescued || o.improved).length).toBeGreaterThan(outcomes.length / 20);
    });
  }
});
