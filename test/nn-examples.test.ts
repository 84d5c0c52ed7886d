// The claims of the issue #5 examples (examples/src/{breast-cancer,multilabel,roundoff,hand-written-loss}.ts),
// checked through their library functions with small settings, then each built entry script run once.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainHandWrittenLoss } from '../examples/src/hand-written-loss.js';
import { LABELS, scenes, trainMultilabel } from '../examples/src/multilabel.js';
import { formatRoundoffTable, roundoffTable } from '../examples/src/roundoff.js';
import { trainBreastCancer } from '../examples/src/train-breast-cancer.js';
import { OUT_DIR } from '../examples/src/write-pictures.js';

describe('breast-cancer: sigmoid + binaryCrossentropy() trains like linear + fromLogits', () => {
  it('gives the same weights to float tolerance and at least 95% held-out accuracy for both', async () => {
    const { probabilities: a, logits: b, maxAbsDifference, maxRelativeDifference } = await trainBreastCancer({ epochs: 8 });
    expect(maxAbsDifference).toBeLessThanOrEqual(1e-6);
    expect(maxRelativeDifference).toBeLessThanOrEqual(1e-5);
    expect(a.test.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(b.test.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(a.history.history.loss!.at(-1)!).toBeLessThan(a.history.history.loss![0]!);
  });

  it('explain() says A was fused and B already reads logits', async () => {
    const { probabilities: a, logits: b } = await trainBreastCancer({ epochs: 1 });
    expect(a.model.explain()).toContain('sigmoid + binary cross-entropy fused into sigmoidCrossEntropyWithLogits');
    expect(b.model.explain()).toContain('fromLogits: true');
    expect(b.model.explain()).not.toContain('fused into');
  });
});

describe('multilabel: car / bus / pedestrian with three sigmoid outputs', () => {
  it('makes the same scenes for a seed, with labels that co-occur', () => {
    const [first, again] = [scenes(50, 7), scenes(50, 7)];
    expect(Array.from(first.x.data)).toEqual(Array.from(again.x.data));
    const y = first.y.data;
    const multi = Array.from({ length: 50 }, (_, r) => y[3 * r]! + y[3 * r + 1]! + y[3 * r + 2]!).filter((n) => n >= 2);
    expect(multi.length).toBeGreaterThan(5);
  });

  it('fuses the loss and learns every label well above chance on held-out scenes', async () => {
    const result = await trainMultilabel({ epochs: 10, trainRows: 400 });
    expect(result.model.explain()).toContain('fused into sigmoidCrossEntropyWithLogits');
    expect(result.perLabel.map((l) => l.label)).toEqual([...LABELS]);
    for (const label of result.perLabel) {
      const chance = Math.max(label.positives, 1 - label.positives);
      expect(label.accuracy, label.label).toBeGreaterThanOrEqual(0.9);
      expect(label.accuracy - chance, label.label).toBeGreaterThan(0.25);
    }
  });
});

describe('roundoff: naive vs stabilized against the exact value', () => {
  const rows = roundoffTable();
  const row = (inputs: string, dtype: 'float32' | 'float64') => rows.find((r) => r.inputs === inputs && r.dtype === dtype)!;

  it('at z = 100 the naive float32 binary cross-entropy is broken and the fused one within 2 ULP', () => {
    const r = row('z = 100, y = 0', 'float32');
    expect(!Number.isFinite(r.naive) || r.naiveUlp > 1000).toBe(true);
    expect(r.stabilizedUlp).toBeLessThanOrEqual(2);
    expect(r.result).toBe('sigmoidCrossEntropyWithLogits(z, y)');
    expect(r.rules).toContain('binary-cross-entropy');
  });

  it('(1 + a) - (1 - a) loses digits; sum-minus-difference gives 2/10000 exactly', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = row('a = 1/10000', dtype);
      expect(r.naiveUlp).toBeGreaterThan(100);
      expect(r.stabilizedUlp).toBe(0);
      expect(r.rules).toEqual(['sum-minus-difference']);
      expect(r.stabilized).toBe(row('(constants)', dtype).naive);
    }
  });

  it('every stabilized value is within 2 ULP of the exact one, and the table names the rules', () => {
    for (const r of rows) expect(r.stabilizedUlp, `${r.written} at ${r.inputs} in ${r.dtype}`).toBeLessThanOrEqual(2);
    expect(rows.filter((r) => !Number.isFinite(r.naive)).length).toBeGreaterThan(10);
    const table = formatRoundoffTable(rows);
    expect(table).toContain('softmax-from-exp, log-softmax, categorical-cross-entropy');
    expect(table).toContain('none: nothing to fix');
  });
});

describe('hand-written-loss: a loss from core ops, stabilized and trained', () => {
  it('stabilize fuses it into sigmoidCrossEntropyWithLogits and training stays finite where the naive graph does not', () => {
    const result = trainHandWrittenLoss({ steps: 5 });
    expect(result.newOps).toContain('sigmoidCrossEntropyWithLogits');
    expect(result.report.firings.map((f) => f.rule)).toContain('binary-cross-entropy');
    expect(result.explanation).toContain('binary-cross-entropy at');
    expect(result.saturatedRows).toBeGreaterThan(0);
    const stabilized = result.losses.map((l) => l.stabilized);
    expect(stabilized.every(Number.isFinite)).toBe(true);
    expect(stabilized.at(-1)!).toBeLessThan(stabilized[0]! / 10);
    expect(result.losses.every((l) => !Number.isFinite(l.asWritten))).toBe(true);
    expect(result.finiteWeights).toEqual({ asWritten: false, stabilized: true });
  });
});

describe('the entry scripts', () => {
  const scripts = [
    { name: 'breast-cancer', args: ['--epochs', '3'], line: /^held-out accuracy: A 9\d\.\d%/m, pictures: ['model-a-as-written', 'model-a-compiled'] },
    { name: 'multilabel', args: ['--epochs', '3'], line: /^ {2}pedestrian accuracy/m, pictures: ['model-as-written', 'training-graph'] },
    { name: 'roundoff', args: [], line: /sum-minus-difference$/m, pictures: ['sum-minus-difference', 'binary-cross-entropy'] },
    { name: 'hand-written-loss', args: ['--epochs', '3'], line: /^weights after 3 steps: as written NaN or Infinity, stabilized all finite$/m, pictures: ['before', 'after', 'before-and-after', 'training-graph'] },
  ];

  it.each(scripts)('$name runs, prints its result and writes its pictures', ({ name, args, line, pictures }) => {
    const started = Date.now();
    const run = spawnSync(process.execPath, [`examples/dist/${name}.js`, ...args], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(line);
    for (const picture of pictures) {
      for (const ext of ['dot', 'svg']) {
        // Written by this run: not older than its start (file times may be a little coarse).
        expect(statSync(join(OUT_DIR, name, `${picture}.${ext}`)).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
      }
    }
  });
});
