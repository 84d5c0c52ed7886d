/**
 * The elementwise table guards the scalar functions the fused loops call. For every op of the
 * registry that declares `elementwise`, on extreme floats (NaN, +-Infinity, -0, subnormals, the
 * largest finite values, the edges of exp and sigmoid) and on random ones, `scalar`, stored into
 * the output's dtype, is what the op's kernel computes (run through the interpreter on a small
 * tensor). Most kernels are made from `scalar` (defineOp), so this holds by construction; it
 * catches an op that keeps a kernel of its own (mul and square, for int32) drifting from it.
 * A new elementwise op is swept automatically.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import {
  allocate, apply, type DType, type Elementwise, evaluate, input, OP_NAMES, type OpName, opDef, type Tensor, tensor,
} from '@stablegrad/core';
import { extremeFloats, type FloatDType, floatOf, propertyParams } from '@stablegrad/testing';

const FLOAT_DTYPES: readonly FloatDType[] = ['float64', 'float32'];

/** The ops with an elementwise form, and their arity. */
const ELEMENTWISE = OP_NAMES.flatMap((name) => {
  const def = opDef(name);
  return def.elementwise === undefined ? [] : [{ name, elementwise: def.elementwise, arity: def.arity as number }];
});

/** Extreme and ordinary values of `dtype`, rounded to it. */
function specials(dtype: FloatDType): number[] {
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const ordinary = [0.5, -0.5, 2, -2, 3, -3.7, 0.1, 1e-8, -1e-8, 1e15 + 0.5, 1 - 2 ** -24, 710, -746, 89, -104, 1e30, -1e30];
  return [...new Set([NaN, Infinity, -Infinity, ...extremeFloats(dtype), ...ordinary.map(round)])];
}

/** All tuples of `arity` values from `values` (for `where`, conditions from `conditions`). */
function tuples(values: readonly number[], arity: number, conditions: readonly number[]): number[][] {
  if (arity === 1) return values.map((v) => [v]);
  if (arity === 2) return values.flatMap((a) => values.map((b) => [a, b]));
  // Ternary (where): every condition against a smaller grid of branches.
  const branches = values.filter((_, i) => i % 3 === 0);
  return conditions.flatMap((c) => branches.flatMap((a) => branches.map((b) => [c, a, b])));
}

/** The dtype of input `k` of op `name` with float operands of `dtype` (a where condition may be int32). */
function inputDType(name: OpName, k: number, dtype: FloatDType, intCondition: boolean): DType {
  return name === 'where' && k === 0 && intCondition ? 'int32' : dtype;
}

/** Runs op `name` through the interpreter on columns of `rows` (one tensor per operand). */
function kernelOf(name: OpName, rows: readonly number[][], dtypes: readonly DType[]): Tensor {
  const inputs = dtypes.map((dtype, k) => input([rows.length], { dtype, name: `in${k}` }));
  const node = apply(opDef(name), inputs, {});
  const feeds = new Map(inputs.map((x, k) => [x, tensor(rows.map((row) => row[k]!), { dtype: dtypes[k]!, shape: [rows.length] })]));
  return evaluate(node, feeds);
}

/** The inputs as the kernel sees them: stored into their dtype's typed array. */
function stored(rows: readonly number[][], dtypes: readonly DType[]): number[][] {
  return rows.map((row) => row.map((v, k) => {
    const cell = allocate(dtypes[k]!, 1);
    cell[0] = v;
    return cell[0]!;
  }));
}

/** `scalar`'s result stored into `dtype`, as a kernel stores it. */
function storedScalar(elementwise: Elementwise, args: readonly number[], dtype: DType): number {
  const cell = allocate(dtype, 1);
  cell[0] = elementwise.scalar(...args);
  return cell[0]!;
}

const show = (args: readonly number[]) => `(${args.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')})`;

/** Checks kernel == stored scalar on `rows`; returns the first failure. */
function check(name: OpName, elementwise: Elementwise, rows: readonly number[][], dtypes: readonly DType[]): string | undefined {
  const args = stored(rows, dtypes);
  const out = kernelOf(name, args, dtypes);
  for (let i = 0; i < args.length; i++) {
    const expected = storedScalar(elementwise, args[i]!, out.dtype);
    if (!Object.is(out.data[i], expected)) return `${name}${show(args[i]!)} ${dtypes.join(',')}: kernel ${out.data[i]}, scalar ${expected}`;
  }
  return undefined;
}

describe('the elementwise table', () => {
  it('covers the ops the fused loops rely on', () => {
    const names = ELEMENTWISE.map((e) => e.name);
    for (const op of ['add', 'sub', 'mul', 'div', 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'where', 'less'] as const) expect(names).toContain(op);
    for (const { name, arity } of ELEMENTWISE) expect([1, 2, 3], name).toContain(arity);
  });

  describe.each(ELEMENTWISE)('$name', ({ name, elementwise, arity }) => {
    for (const dtype of FLOAT_DTYPES) {
      for (const intCondition of name === 'where' ? [false, true] : [false]) {
        const dtypes = Array.from({ length: arity }, (_, k) => inputDType(name, k, dtype, intCondition));
        const label = `${dtype}${intCondition ? ', int32 condition' : ''}`;

        it(`scalar is the kernel on extreme values (${label})`, () => {
          const conditions = intCondition ? [0, 1, -1, 7] : [0, -0, 1, -1, NaN, Infinity, 2 ** -149];
          expect(check(name, elementwise, tuples(specials(dtype), arity, conditions), dtypes)).toBeUndefined();
        });

        it(`scalar is the kernel on random values (${label})`, () => {
          const value = floatOf(dtype, { nan: true, infinity: true });
          const operand = (k: number) => (dtypes[k] === 'int32' ? fc.integer({ min: -3, max: 3 }) : value);
          const row = fc.tuple(...Array.from({ length: arity }, (_, k) => operand(k)));
          fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 24 }), (rows) => {
            expect(check(name, elementwise, rows, dtypes)).toBeUndefined();
          }), propertyParams(40));
        });
      }
    }
  });
});
