/**
 * `@stablegrad/rewrite`: the pattern-matching rewrite engine, the rule sets, and `stabilize`,
 * which turns naive probability-space losses into stable logit forms and reports every change,
 * and `prepareTraining` (stabilize, `grad`, simplify: the graphs of a training step).
 * @module
 */
export { type Pattern, type CapturePattern, type OpPattern, type ConstPattern, type AttrPattern, type AttrCapture, type PatternBuilders, P, v, c, op, attr, bind } from './pattern.js';
export { match, matches, isConstantNear, sameAttr, type Match, type MatchInfo } from './match.js';
export { rule, type RewriteRule, type RuleExample, type Phase } from './rule.js';
export { rewrite, RewriteError, type Firing, type RewriteReport, type RewriteResult, type RewriteOptions, type RewriteWork } from './engine.js';
export { explain } from './explain.js';
export { formatExpression, toSExpr } from './format-expression.js';
export { stabilize, simplify, type StabilizeOptions } from './stabilize.js';
export { DEFAULT_GUARD_EPSILON, ruleContext, withRuleContext, type RuleContext } from './context.js';
export { prepareTraining, type TrainingGraph, type PrepareTrainingOptions, type PreparedTraining } from './prepare-training.js';
export { compileTraining, type CompileTrainingOptions, type CompiledTraining } from './prepare-training.js';
export { canonicalizeRules, stabilizeRules, simplifyRules, PHASES } from './rules/index.js';
