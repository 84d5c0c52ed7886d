// propertyRuns / propertyParams read the environment.
import { afterEach, describe, expect, it } from 'vitest';
import { PROPERTY_SEED, propertyParams, propertyRuns } from '@stablegrad/testing';

const saved = { runs: process.env.STABLEGRAD_PROPERTY_RUNS, seed: process.env.STABLEGRAD_PROPERTY_SEED };

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('property settings', () => {
  afterEach(() => {
    restore('STABLEGRAD_PROPERTY_RUNS', saved.runs);
    restore('STABLEGRAD_PROPERTY_SEED', saved.seed);
  });

  it('uses the default number of runs and the fixed seed', () => {
    delete process.env.STABLEGRAD_PROPERTY_RUNS;
    delete process.env.STABLEGRAD_PROPERTY_SEED;
    expect(propertyRuns(50)).toBe(50);
    expect(propertyRuns()).toBe(100);
    expect(propertyParams(20)).toEqual({ numRuns: 20, seed: PROPERTY_SEED });
    expect(Number.isInteger(PROPERTY_SEED)).toBe(true);
  });

  it('takes runs and seed from the environment', () => {
    process.env.STABLEGRAD_PROPERTY_RUNS = '2000';
    process.env.STABLEGRAD_PROPERTY_SEED = '-7';
    expect(propertyRuns(50)).toBe(2000);
    expect(propertyParams(20)).toEqual({ numRuns: 2000, seed: -7 });
  });

  it('rejects malformed values', () => {
    process.env.STABLEGRAD_PROPERTY_RUNS = 'lots';
    expect(() => propertyRuns(10)).toThrow(/STABLEGRAD_PROPERTY_RUNS must be an integer >= 1, got 'lots'/);
    process.env.STABLEGRAD_PROPERTY_RUNS = '0';
    expect(() => propertyRuns(10)).toThrow(RangeError);
  });
});
