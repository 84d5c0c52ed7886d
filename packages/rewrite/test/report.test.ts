// The rewrite report is plain data for tools: JSON round-trips it, while the matched and
// replacement nodes stay reachable for pictures.
import { describe, expect, it } from 'vitest';
import { input, log, sigmoid } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';

describe('rewrite report', () => {
  it('serializes to plain JSON and keeps the nodes for tools', () => {
    const z = input([3], { name: 'z' });
    const { report } = stabilize(log(sigmoid(z)));
    const firing = report.firings.find((f) => f.rule === 'log-sigmoid')!;
    expect(firing.matched.op).toBe('log');
    expect(firing.replacement.op).toBe('logSigmoid');
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    const plain = json.firings.find((f) => f.rule === 'log-sigmoid')!;
    expect(Object.keys(plain).sort()).toEqual(['after', 'before', 'captures', 'doc', 'path', 'phase', 'rule', 'scope']);
    expect(plain).toEqual({ ...firing });
    expect(plain.before).toBe('log(sigmoid(z))');
  });
});
