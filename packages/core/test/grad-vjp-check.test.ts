import { describe, expect, it, vi } from 'vitest';
import type { OpDef } from '@stablegrad/core';

// A VJP rule that returns the wrong dtype or shape is a bug in an op file; grad must say so where
// it happens. No real op has such a bug, so this file swaps in broken VJPs for exp and square.
vi.mock('../dist/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../dist/registry.js')>();
  const broken: Record<string, Partial<OpDef>> = {
    exp: { vjp: ({ cotangent }) => [cotangent.cast('float64')] },
    square: { vjp: ({ cotangent }) => [cotangent.sum()] },
  };
  return { ...real, opDef: (name: string) => (name in broken ? { ...real.opDef(name as never), ...broken[name] } : real.opDef(name as never)) };
});

const { grad, GradError, input } = await import('@stablegrad/core');

describe('grad checks what a VJP rule returns', () => {
  it('refuses a gradient of another dtype, even when its shape is the same', () => {
    const x = input([3], { name: 'x' });
    expect(() => grad(x.exp().sum(), [x])).toThrow(GradError);
    expect(() => grad(x.exp().sum(), [x])).toThrow(/VJP of .*exp.*shape or dtype differs/);
  });

  it('refuses a gradient of another shape', () => {
    const x = input([3], { name: 'x' });
    expect(() => grad(x.square().sum(), [x])).toThrow(/VJP of .*square.*shape or dtype differs/);
  });

  it('accepts the real rules', () => {
    const x = input([3], { name: 'x' });
    expect(grad(x.tanh().sum(), [x])[0]!.shape).toEqual([3]);
  });
});
