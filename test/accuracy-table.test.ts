// The accuracy table's measurements on the hand-picked extreme inputs (no random samples):
// stabilized losses are finite and within a few ULP of the exact loss, naive ones are not.
import { describe, expect, it } from 'vitest';
import { type AccuracyRow, accuracyTable, formatAccuracyTable } from '../examples/src/accuracy-table.js';

const rows = accuracyTable({
  samples: 0,
  forms: [
    'binary naive', 'binary Keras-clipped', 'categorical naive', 'categorical Keras-clipped', 'sparse via gather', 'multi-label', 'log(1+x)',
    '(1+a)-(1-a)',
  ],
});
const row = (form: AccuracyRow['form'], dtype: AccuracyRow['dtype']): AccuracyRow => rows.find((r) => r.form === form && r.dtype === dtype)!;

/** A fused loss is within about 1 ULP; a mean over 3 outputs adds up to 2 roundings in float64. */
const ULP = { float32: 2, float64: 4 } as const;

describe('accuracy table', () => {
  it.each(rows.map((r) => [`${r.form} ${r.dtype}`, r] as const))('%s: the stabilized loss is finite and within a few ULP', (_, r) => {
    expect(r.loss.stabilized.nonFinite).toBe(0);
    expect(r.loss.stabilized.maxUlp).toBeLessThanOrEqual(ULP[r.dtype]);
    expect(r.gradient.stabilized.nonFinite).toBe(0);
    // The naive graph loses at least half of its digits somewhere on these inputs.
    expect(r.loss.naive.maxUlp).toBeGreaterThan(r.dtype === 'float32' ? 2 ** 12 : 2 ** 26);
  });

  it.each(['binary naive', 'sparse via gather', 'multi-label'] as const)('%s overflows when naive, never when stabilized', (form) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = row(form, dtype);
      expect(r.loss.naive.nonFinite).toBeGreaterThan(0);
      expect(r.gradient.naive.nonFinite).toBeGreaterThan(0);
      expect(r.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[dtype]);
    }
  });

  it('the Keras clip keeps the naive loss finite but saturated; stabilized is exact', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = row('binary Keras-clipped', dtype);
      expect(r.loss.naive.nonFinite).toBe(0);
      expect(r.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[dtype]);
    }
  });

  it('categorical with fed soft labels: fused for any labels, so the gradient is accurate too', () => {
    // Labels fed as an input are not known to sum to 1; the fused gradient softmax(z) sum(y) - y
    // is exact for any labels and keeps its digits where softmax(z) is close to y (z = [20, 0, 0],
    // y = [1, 0, 0]), where the generic graph gradient of logSoftmax cancels to 0.
    for (const dtype of ['float32', 'float64'] as const) {
      const r = row('categorical naive', dtype);
      expect(r.loss.naive.nonFinite).toBeGreaterThan(0);
      expect(r.gradient.naive.nonFinite).toBeGreaterThan(0);
      expect(r.gradient.stabilized.nonFinite).toBe(0);
      expect(r.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[dtype]);
      // The Keras-clipped spelling stabilizes to the same fused loss.
      const clipped = row('categorical Keras-clipped', dtype);
      expect(clipped.loss.naive.nonFinite).toBe(0);
      expect(clipped.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[dtype]);
    }
  });

  const spellings = accuracyTable({
    samples: 0, forms: ['binary, sigmoid as 1/(1+e^-z)', 'stable log-softmax', 'sparse via logsumexp', 'log(1-e^x)', 'log(e^a+e^b)'],
  });
  it.each(spellings.map((r) => [`${r.form} ${r.dtype}`, r] as const))('%s (a spelling canonicalize recognises): finite, a few ULP, and the naive form breaks', (_, r) => {
    expect(r.loss.stabilized.nonFinite).toBe(0);
    expect(r.loss.stabilized.maxUlp).toBeLessThanOrEqual(ULP[r.dtype]);
    expect(r.gradient.stabilized.nonFinite).toBe(0);
    expect(r.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[r.dtype]);
    const naiveBreaks = r.loss.naive.nonFinite > 0 || r.loss.naive.maxUlp > 2 ** 12 || r.gradient.naive.maxUlp > 2 ** 12;
    expect(naiveBreaks).toBe(true);
  });

  it('the hand-written stable log-softmax has stable values but a cancelling gradient; the fused one does not', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = spellings.find((x) => x.form === 'stable log-softmax' && x.dtype === dtype)!;
      expect(r.loss.naive.nonFinite).toBe(0);
      expect(r.gradient.naive.maxUlp).toBeGreaterThan(dtype === 'float32' ? 2 ** 20 : 2 ** 40);
      expect(r.gradient.stabilized.maxUlp).toBeLessThanOrEqual(ULP[dtype]);
    }
  });

  it('formats a generated Markdown file with one line per row', () => {
    const text = formatAccuracyTable(rows, { samples: 0 });
    expect(text.split('\n')[0]).toContain('npm run accuracy-table');
    expect(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| form'))).toHaveLength(rows.length);
    expect(text).toContain('| binary naive | float32 |');
  });
});
