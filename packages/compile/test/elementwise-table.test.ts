/**
 * The elementwise table guards the templates the fused loops are generated from. For every op
 * of the registry that declares `elementwise`, on extreme floats (NaN, +-Infinity, -0,
 * subnormals, the largest finite values, the edges of exp and sigmoid) and on random ones:
 * - `scalar`, stored into the output's dtype, is what the op's kernel computes (run through
 *   the interpreter on a small tensor): the fused loop's formula is the kernel's;
 * - `code`, substituted the way fusion.ts substitutes it and compiled with `new Function`, is
 *   `scalar` bit for bit (Object.is), before any rounding: the template is the formula;
 * - `code` is built only from `$0..$k`, `Math` functions, number literals and operators.
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

/** `code` as fusion.ts inlines it: `$k` replaced by a plain variable, evaluated as an expression. */
function codeFunction(code: string, arity: number): (...args: number[]) => number {
  const names = Array.from({ length: arity }, (_, k) => `l${k}`);
  const expression = code.replace(/\$(\d)/g, (_, d: string) => names[Number(d)]!);
  return new Function(...names, `return ${expression};`) as (...args: number[]) => number;
}

const show = (args: readonly number[]) => `(${args.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')})`;

/** Checks kernel == stored scalar and code == scalar on `rows`; returns the first failure. */
function check(name: OpName, elementwise: Elementwise, arity: number, rows: readonly number[][], dtypes: readonly DType[]): string | undefined {
  const args = stored(rows, dtypes);
  const out = kernelOf(name, args, dtypes);
  const code = elementwise.code === undefined ? undefined : codeFunction(elementwise.code, arity);
  for (let i = 0; i < args.length; i++) {
    const expected = storedScalar(elementwise, args[i]!, out.dtype);
    if (!Object.is(out.data[i], expected)) return `${name}${show(args[i]!)} ${dtypes.join(',')}: kernel ${out.data[i]}, scalar ${expected}`;
    if (code !== undefined) {
      const [fromCode, fromScalar] = [code(...args[i]!), elementwise.scalar(...args[i]!)];
      if (!Object.is(fromCode, fromScalar)) return `${name}${show(args[i]!)}: code ${fromCode}, scalar ${fromScalar}`;
    }
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
    it('has a template built only from its operands, Math functions, numbers and operators', () => {
      const { code } = elementwise;
      if (code === undefined) return;
      for (const [, d] of code.matchAll(/\$(\d)/g)) expect(Number(d)).toBeLessThan(arity);
      const words = code.replace(/\$\d/g, ' ').match(/[A-Za-z_][\w]*/g) ?? [];
      const allowed = new Set(['Math', ...Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')]);
      for (const word of words) expect(allowed, `${name}: '${word}' in '${code}'`).toContain(word);
      expect(code).not.toMatch(/['"`;\\{}]|=>|\bfunction\b/);
    });

    for (const dtype of FLOAT_DTYPES) {
      for (const intCondition of name === 'where' ? [false, true] : [false]) {
        const dtypes = Array.from({ length: arity }, (_, k) => inputDType(name, k, dtype, intCondition));
        const label = `${dtype}${intCondition ? ', int32 condition' : ''}`;

        it(`scalar is the kernel and code is scalar on extreme values (${label})`, () => {
          const conditions = intCondition ? [0, 1, -1, 7] : [0, -0, 1, -1, NaN, Infinity, 2 ** -149];
          expect(check(name, elementwise, arity, tuples(specials(dtype), arity, conditions), dtypes)).toBeUndefined();
        });

        it(`scalar is the kernel and code is scalar on random values (${label})`, () => {
          const value = floatOf(dtype, { nan: true, infinity: true });
          const operand = (k: number) => (dtypes[k] === 'int32' ? fc.integer({ min: -3, max: 3 }) : value);
          const row = fc.tuple(...Array.from({ length: arity }, (_, k) => operand(k)));
          fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 24 }), (rows) => {
            expect(check(name, elementwise, arity, rows, dtypes)).toBeUndefined();
          }), propertyParams(40));
        });
      }
    }
  });
});
