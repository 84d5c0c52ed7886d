/**
 * `@stablegrad/testing`: the kit stablegrad's own accuracy tests use, offered to users: a
 * high-precision reference evaluator for any graph (decimal.js, 60 digits), ULP distances,
 * gradient checks against exact central differences, accuracy assertions, and fast-check
 * arbitraries for extreme floats, tensors, logits, probabilities and labels.
 * @module
 */
export {
  createDecimalMath, createMixedPrecisionMath, decimalMath, type Decimal, type DecimalConstructor, type DecimalMath, EXACT_DIGITS, exactDecimalMath, EXP_LIMIT,
  roundToDType, toDecimal,
} from './decimal-math.js';
export {
  type ExactFeeds, referenceEvaluate, referenceEvaluateExact, type ReferenceOptions, type ReferenceResult, runReferenceNode, toRefTensor,
} from './reference.js';
export { bitsOfError, type MaxUlp, maxUlp, nextDown, nextUp, ulp, ulpDistance } from './ulp.js';
export {
  extremeFloats, type FloatDType, floatOf, type FloatOptions, labelsOf, type LogitOptions, logitVector, probabilityVector,
  type ProbabilityOptions, tensorOf,
} from './arbitraries.js';
export { assertGradClose, checkGrad, type CheckGradOptions, type GradCheckReport, type GradComponent } from './check-grad.js';
export { assertJvpClose, checkJvp } from './check-jvp.js';
export { compareRewrite, expectRewriteAccurate, type RewriteComparison } from './rewrite-check.js';
export { type AccuracyReport, accuracyReport, type ExpectAccurateOptions, expectAccurate, type OutputAccuracy } from './assertions.js';
export { Random } from './random.js';
export { PROPERTY_SEED, type PropertyParams, propertyParams, propertyRuns } from './property.js';
export {
  type BinaryLoss, buildLossGraph, type CancellationExpr, type CategoricalLoss, GUARD_SLACK, type GuardRange, type LogitsRecipe,
  type LossCase, lossCaseOf, type LossGraph, lossGraphOf, type LossGraphOptions, type LossRecipe, lossRecipeOf, type LossValues,
  lossValuesOf, type NoiseStep, type ReduceStep, type SparseLoss, type SpellingLossRecipe,
} from './graphs.js';
export {
  checkRuleSoundness, describeCandidate, formatSoundnessProblem, type RuleSemantics, type SoundnessOptions, type SoundnessProblem,
  type SoundnessReport, withFoldedConstants,
} from './rule-soundness.js';
export { copyTerm, ruleCandidates, type RuleCandidate, type SoundnessPattern, type SoundnessRule } from './rule-candidates.js';
export { LOSS_SPELLINGS, type LossSpelling, spellingInputs, type SpellingInputs, type SpellingShapes } from './spellings.js';
