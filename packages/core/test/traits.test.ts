// Op traits are declared on the definitions; each must agree with what the op visibly is, so a
// new op that forgets its trait (or claims a wrong one) fails here.
import { describe, expect, it } from 'vitest';
import { hasTrait, OP_NAMES, opDef } from '@stablegrad/core';

const floatScalar = { shape: [] as number[], dtype: 'float32' as const };

function comparesFloats(name: (typeof OP_NAMES)[number]): boolean {
  const def = opDef(name);
  if (def.arity !== 2) return false;
  try {
    return def.infer([floatScalar, floatScalar], {}).dtype === 'int32';
  } catch {
    return false;
  }
}

describe('op traits', () => {
  it.each([...OP_NAMES])('%s declares exactly the traits it has', (name) => {
    const attrs = opDef(name).attrs;
    expect(hasTrait(name, 'reduction'), 'reduction: reduces over axes with keepDims').toBe('axes' in attrs && 'keepDims' in attrs);
    expect(hasTrait(name, 'fusedLoss'), 'fusedLoss: a cross-entropy on logits').toBe(name.endsWith('CrossEntropyWithLogits'));
    expect(hasTrait(name, 'comparison'), 'comparison: two floats in, int32 0/1 out').toBe(comparesFloats(name));
  });

  it('is false for names that are not ops', () => {
    expect(hasTrait('nope', 'reduction')).toBe(false);
  });
});
