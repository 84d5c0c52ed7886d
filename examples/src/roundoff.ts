/**
 * `npm run roundoff`: where floating point goes wrong, in one table. `2/10000` against
 * `(1 + 1/10000) - (1 - 1/10000)`, then cross-entropies at extreme logits (a binary one written
 * with `sigmoid` and `log`, a softmax one written with the `softmax` op and one written with
 * `exp / sum`), each computed as written and after `stabilize`, in float32 and float64, next to
 * the exact value (60 significant digits by the testing kit's `referenceEvaluate`, rounded once
 * to the dtype) with the error in ULP. The last column is what the rewrite did to the row: the
 * stabilize rules that fired, from the `stabilize` report, and the expression they left. The
 * pictures of each rewrite (before and after in one graph) go under out/roundoff/.
 * @module
 */
import { pathToFileURL } from 'node:url';
import {
  add, constant, type DType, div, evaluate, exp, type Feeds, input, log, mul, neg, type Node, sigmoid,
  sigmoidCrossEntropyWithLogits, softmax, softmaxCrossEntropyWithLogits, sub, sum,
} from '@stablegrad/core';
import { toDiffDot } from '@stablegrad/dot';
import { formatExpression, stabilize } from '@stablegrad/rewrite';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { formatValue } from './why-from-logits.js';
import { writePicture } from './write-pictures.js';

/** The float types, in row order. */
const DTYPES = ['float32', 'float64'] as const;

/** One kind of row: a formula as written, the exact quantity it stands for, and a point. */
export interface RoundoffCase {
  /** The formula as a reader would write it. */
  readonly written: string;
  /** The point, as printed. */
  readonly inputs: string;
  readonly feeds: Feeds;
  /** The formula as written, and the exact quantity built from ops whose references do not depend on any rewrite rule. */
  readonly build: (dtype: DType) => { readonly naive: Node; readonly exact: Node };
  /** File name of the before/after picture (float64), for one case of each formula. */
  readonly picture?: string;
}

/** One row of the table: a case in one dtype. */
export interface RoundoffRow {
  readonly written: string;
  readonly inputs: string;
  readonly dtype: DType;
  /** The formula as written, evaluated in `dtype`. */
  readonly naive: number;
  /** The graph `stabilize` returns, evaluated in `dtype`. */
  readonly stabilized: number;
  /** The exact value rounded to `dtype`. */
  readonly exact: number;
  /** ULP from the exact value (Infinity where the result is NaN or infinite and the exact value is not). */
  readonly naiveUlp: number;
  readonly stabilizedUlp: number;
  /** The rules of the stabilize phase that fired, in order, each once. */
  readonly rules: readonly string[];
  /** What `stabilize` left, as an expression (`formatExpression`). */
  readonly result: string;
}

const scalar = (name: string, dtype: DType): Node => input([], { dtype, name });
const pair = (name: string, dtype: DType): Node => input([2], { dtype, name });

/** `-(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))` and the exact `sigmoidCrossEntropyWithLogits(z, y)`. */
function binaryCrossEntropy(dtype: DType): { naive: Node; exact: Node } {
  const [z, y] = [scalar('z', dtype), scalar('y', dtype)];
  const p = sigmoid(z);
  return { naive: neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))), exact: sigmoidCrossEntropyWithLogits(z, y) };
}

/** `-sum(y log(p))` with `p` from `probabilities(z)`, and the exact `softmaxCrossEntropyWithLogits(z, y)`. */
function categoricalCrossEntropy(probabilities: (z: Node) => Node) {
  return (dtype: DType): { naive: Node; exact: Node } => {
    const [z, y] = [pair('z', dtype), pair('y', dtype)];
    return { naive: neg(sum(mul(y, log(probabilities(z))))), exact: softmaxCrossEntropyWithLogits(z, y) };
  };
}

const BCE = '-(y log(sigmoid(z)) + (1-y) log(1-sigmoid(z)))';
const binary = (z: number, y: number, picture?: string): RoundoffCase => ({
  written: BCE, inputs: `z = ${z}, y = ${y}`, feeds: { z, y }, build: binaryCrossEntropy, ...(picture === undefined ? {} : { picture }),
});
const softmaxOp = categoricalCrossEntropy((z) => softmax(z));
const expOverSum = categoricalCrossEntropy((z) => div(exp(z), sum(exp(z))));
const categorical = (written: string, build: RoundoffCase['build'], gap: number, picture?: string): RoundoffCase => ({
  written, inputs: `z = [${gap}, 0], y = [0, 1]`, feeds: { z: [gap, 0], y: [0, 1] }, build, ...(picture === undefined ? {} : { picture }),
});

/** The rows, in table order: the labels are the wrong ones for the logits, where losses are large. */
export const ROUNDOFF_CASES: readonly RoundoffCase[] = [
  {
    written: '2/10000', inputs: '(constants)', feeds: {},
    build: (dtype) => {
      const direct = div(constant(2, { dtype }), 10000);
      return { naive: direct, exact: direct };
    },
  },
  {
    written: '(1 + a) - (1 - a)', inputs: 'a = 1/10000', feeds: { a: 1 / 10000 }, picture: 'sum-minus-difference',
    build: (dtype) => {
      const a = scalar('a', dtype);
      // In exact arithmetic this graph is 2a, so evaluated at 60 digits it is its own reference.
      const naive = sub(add(1, a), sub(1, a));
      return { naive, exact: naive };
    },
  },
  binary(20, 1),
  binary(20, 0),
  binary(40, 0),
  binary(100, 0, 'binary-cross-entropy'),
  binary(1000, 0),
  binary(-1000, 1),
  categorical('-sum(y log(softmax(z)))', softmaxOp, 100, 'softmax-cross-entropy'),
  categorical('-sum(y log(softmax(z)))', softmaxOp, 1000),
  categorical('-sum(y log(exp(z) / sum(exp(z))))', expOverSum, 100, 'softmax-written-with-exp'),
  categorical('-sum(y log(exp(z) / sum(exp(z))))', expOverSum, 1000),
];

/** ULP between a result and the exact value; Infinity when only the result is not finite. */
function ulpError(value: number, exact: number, dtype: DType): number {
  if (!Number.isFinite(value)) return Number.isFinite(exact) ? Infinity : 0;
  return ulpDistance(value, exact, dtype);
}

/**
 * Evaluates every case in float32 and float64: as written, after `stabilize`, and exactly.
 * @example
 * ```ts
 * const row = roundoffTable().find((r) => r.inputs === 'z = 100, y = 0' && r.dtype === 'float32')!;
 * row.naive;          // Infinity
 * row.stabilizedUlp;  // 0
 * ```
 */
/** Canonicalize rules that only respell an expression (the same numbers, another form). */
const RESPELLINGS: ReadonlySet<string> = new Set([
  'sub-to-add-neg', 'double-negation', 'minus-one-times', 'negation-out-of-product', 'negation-out-of-quotient', 'negation-out-of-sum',
  'negation-out-of-reduction', 'log1p-to-log', 'label-difference-to-negation', 'factor-log-term', 'merge-added-reductions', 'merge-nested-reductions',
]);

export function roundoffTable(cases: readonly RoundoffCase[] = ROUNDOFF_CASES): RoundoffRow[] {
  return cases.flatMap((c) => DTYPES.map((dtype): RoundoffRow => {
    const { naive, exact } = c.build(dtype);
    const { graph, report } = stabilize({ value: naive });
    const stable = graph.outputs[0]!;
    const [naiveValue, stableValue] = evaluate([naive, stable], c.feeds).map((t) => t.data[0]!);
    const exactValue = referenceEvaluate(exact, c.feeds).values[0]!;
    // The stabilize phase changes the numbers, and so does canonicalize where it recognises a primitive
    // (exp(z) / sum(exp(z)) is softmax); its other rules only respell (a - b as a + -b), and simplify tidies.
    const rules = [...new Set(report.firings.filter((f) => f.phase === 'stabilize' || (f.phase === 'canonicalize' && !RESPELLINGS.has(f.rule))).map((f) => f.rule))];
    return {
      written: c.written, inputs: c.inputs, dtype, naive: naiveValue!, stabilized: stableValue!, exact: exactValue,
      naiveUlp: ulpError(naiveValue!, exactValue, dtype), stabilizedUlp: ulpError(stableValue!, exactValue, dtype),
      rules, result: formatExpression(stable),
    };
  }));
}

/** `0`, `3`, `1.2e+5`, `not finite`. */
function formatUlp(ulp: number): string {
  if (ulp === Infinity) return 'not finite';
  return ulp < 1e5 ? String(ulp) : ulp.toExponential(1);
}

/**
 * The rows as an aligned text table. Formulas are long, so each gets a letter, explained above
 * the table with what `stabilize` turned it into (from the float64 rows); the last column names
 * the stabilize rules that fired on the row's graph.
 * @example
 * ```ts
 * console.log(formatRoundoffTable(roundoffTable()));
 * ```
 */
export function formatRoundoffTable(rows: readonly RoundoffRow[]): string {
  const formulas = [...new Set(rows.map((r) => r.written))];
  const letter = (written: string): string => String.fromCharCode(65 + formulas.indexOf(written));
  const width = Math.max(...formulas.map((f) => f.length));
  const legend = formulas.map((written) => {
    const after = rows.find((r) => r.written === written && r.dtype === 'float64') ?? rows.find((r) => r.written === written)!;
    return `  ${letter(written)}  ${written.padEnd(width)}  stabilize -> ${after.result}`;
  });
  const header = ['', 'inputs', 'dtype', 'as written', 'ULP', 'stabilized', 'ULP', 'exact', 'what stabilize did: rules fired'];
  const cells = rows.map((r) => [
    letter(r.written), r.inputs, r.dtype, formatValue(r.naive, r.dtype), formatUlp(r.naiveUlp), formatValue(r.stabilized, r.dtype),
    formatUlp(r.stabilizedUlp), formatValue(r.exact, r.dtype), r.rules.length === 0 ? 'none: nothing to fix' : r.rules.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [...legend, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * Writes, for each case that names a picture, its float64 graph before and after `stabilize` as
 * one DOT/SVG picture under out/roundoff/; returns the files written.
 * @example
 * ```ts
 * console.log((await writeRoundoffPictures()).join(', '));
 * ```
 */
async function writeRoundoffPictures(cases: readonly RoundoffCase[] = ROUNDOFF_CASES): Promise<string[]> {
  const files: string[] = [];
  for (const c of cases) {
    if (c.picture === undefined) continue;
    const { naive } = c.build('float64');
    const { graph: after, report } = stabilize({ value: naive });
    files.push(...(await writePicture('roundoff', c.picture, toDiffDot({ value: naive }, after, { report, title: `${c.written}: before and after stabilize` }))));
  }
  return files;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  console.log('stablegrad: roundoff. Each formula as written and after stabilize, in float32 and float64, against the exact');
  console.log('value (60 significant digits, rounded once to the dtype); ULP = steps between the result and the exact value.');
  console.log('For the losses the labels are the wrong ones for the logits: the loss is large and the naive form breaks.\n');
  console.log(formatRoundoffTable(roundoffTable()));
  console.log(`\ngraphs (before and after stabilize): ${(await writeRoundoffPictures()).join(', ')}`);
  // Timing varies from run to run, so it goes to stderr and stdout stays reproducible.
  console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
}
