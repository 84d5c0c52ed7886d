/**
 * Every rule's before => after examples, run through the phases up to and including the rule's
 * own phase. A new rule is covered as soon as it is in a rule set.
 */
import { describe, expect, it } from 'vitest';
import { formatExpression, PHASES, rewrite } from '@stablegrad/rewrite';

// A rule may serve in several phases; its examples are run through its first one.
const firstPhase = new Map<object, number>();
PHASES.forEach((phase, index) => phase.rules.forEach((r) => firstPhase.has(r) || firstPhase.set(r, index)));
const all = [...firstPhase].map(([r, index]) => ({ phase: PHASES[index]!.name, upTo: PHASES.slice(0, index + 1), rule: PHASES[index]!.rules.find((x) => x === r)! }));

describe('rule sets', () => {
  it('have unique kebab-case names, one-line docs and at least one example per rule', () => {
    const names = all.map((e) => e.rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const { rule } of all) {
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.doc).not.toContain('\n');
      expect(rule.examples.length, `${rule.name} has no example`).toBeGreaterThan(0);
    }
  });
});

describe.each(all.map((e) => [e.rule.name, e] as const))('rule %s', (_name, { rule, upTo }) => {
  it.each(rule.examples.map((ex, i) => [i, ex] as const))('example %i', (_i, example) => {
    const { graph, report } = rewrite(example.before(), upTo);
    expect(formatExpression(graph.outputs[0]!)).toBe(example.after);
    expect(report.firings.map((f) => f.rule)).toContain(rule.name);
  });
});
