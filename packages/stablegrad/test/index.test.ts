// The umbrella re-exports every value export of core, rewrite, dot, nn, compile and onnx as the same
// object, and the testing kit and the stability lint only from `stablegrad/testing`.
import * as compiled from '@stablegrad/compile';
import * as core from '@stablegrad/core';
import * as dot from '@stablegrad/dot';
import * as lintKit from '@stablegrad/lint';
import * as nn from '@stablegrad/nn';
import * as onnx from '@stablegrad/onnx';
import * as rewrite from '@stablegrad/rewrite';
import * as testing from '@stablegrad/testing';
import * as umbrella from 'stablegrad';
import * as umbrellaTesting from 'stablegrad/testing';
import { describe, expect, it } from 'vitest';

describe('stablegrad re-exports', () => {
  it.each([['@stablegrad/core', core], ['@stablegrad/rewrite', rewrite], ['@stablegrad/dot', dot], ['@stablegrad/nn', nn], ['@stablegrad/compile', compiled], ['@stablegrad/onnx', onnx]] as const)('%s, every export, identical', (_, module) => {
    const names = Object.keys(module);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect((umbrella as Record<string, unknown>)[name], name).toBe((module as Record<string, unknown>)[name]);
  });

  it('exports nothing else', () => {
    const expected = new Set([...Object.keys(core), ...Object.keys(rewrite), ...Object.keys(dot), ...Object.keys(nn), ...Object.keys(compiled), ...Object.keys(onnx)]);
    expect(Object.keys(umbrella).sort()).toEqual([...expected].sort());
  });

  it('offers the testing kit and the lint as stablegrad/testing', () => {
    expect(Object.keys(umbrellaTesting).sort()).toEqual([...Object.keys(testing), ...Object.keys(lintKit)].sort());
    expect(umbrellaTesting.ulpDistance).toBe(testing.ulpDistance);
    expect(umbrellaTesting.lint).toBe(lintKit.lint);
  });
});
