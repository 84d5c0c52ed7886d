/**
 * `npm run docs:why`: computes the numbers of docs/why-from-logits.md. Each case is a loss (or
 * gradient) written the naive way; the table shows what the reference interpreter computes for
 * it, for what `stabilize` (or `prepareTraining`) turns it into, and the exact value (the
 * stabilized graph evaluated at 60 digits by the testing kit, then rounded to the dtype), in
 * float64 and float32, with the error in ULP. Prints the table; with `--write` it also replaces
 * the table in docs/why-from-logits.md (between the `why-from-logits` markers). A test checks
 * that the guide holds the current output.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  add, div, type DType, evaluate, exp, type Feeds, grad, input, log, logsumexp, mul, neg, type Node, sigmoid, softmax, sub, sum,
} from '@stablegrad/core';
import { formatExpression, prepareTraining, stabilize } from '@stablegrad/rewrite';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';

/** The two float dtypes, in column order. */
const DTYPES = ['float64', 'float32'] as const;

/** One formula of a case, built for a dtype: the node to evaluate. */
interface Formula {
  /** What the row calls it: `naive`, `stabilized`, ... */
  readonly label: string;
  /** Builds the formula's output node from the naive graph's node. */
  readonly build: (naive: Node, dtype: DType) => Node;
}

/** One case: a naive graph and the inputs where it goes wrong. */
interface Case {
  /** The naive formula as a reader would write it. */
  readonly written: string;
  /** The inputs, as printed in the table. */
  readonly inputs: string;
  readonly feeds: Feeds;
  /** Builds the naive graph in a dtype. */
  readonly naive: (dtype: DType) => Node;
  /** Whether the row is the gradient with respect to `z` instead of the loss. */
  readonly gradient?: boolean;
  /** Extra formulas shown between the naive and the stabilized rows. */
  readonly others?: readonly Formula[];
}

const scalar = (name: string, dtype: DType): Node => input([], { dtype, name });
const vector = (name: string, dtype: DType): Node => input([2], { dtype, name });

/** The naive binary cross-entropy `-(y log(p) + (1 - y) log(1 - p))`, p = sigmoid(z). */
function naiveBce(dtype: DType): Node {
  const z = scalar('z', dtype);
  const y = scalar('y', dtype);
  const p = sigmoid(z);
  return neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p)))));
}

/** The categorical cross-entropy with softmax written out: `-sum(y log(exp(z) / sum(exp(z))))`. */
function naiveSoftmaxCe(dtype: DType): Node {
  const z = vector('z', dtype);
  const y = vector('y', dtype);
  const e = exp(z);
  return neg(sum(mul(y, log(div(e, sum(e))))));
}

/** The textbook logit form `logsumexp(z) - sum(y z)`, taking the inputs of `naive`. */
const textbookLse: Formula = {
  label: 'textbook `logsumexp(z) - sum(y*z)`',
  build: (naive) => {
    const z = inputByName(naive, 'z');
    return sub(logsumexp(z), sum(mul(inputByName(naive, 'y'), z)));
  },
};

/** `log(softmax(z))` with the library's (max-subtracted) softmax op, which still takes log(0). */
const softmaxOp: Formula = {
  label: 'with the `softmax` op',
  build: (naive) => neg(sum(mul(inputByName(naive, 'y'), log(softmax(inputByName(naive, 'z')))))),
};

/** The cases, in table order. */
const CASES: readonly Case[] = [
  { written: '-log(sigmoid(z))', inputs: 'z = -20', feeds: { z: -20 }, naive: (d) => neg(log(sigmoid(scalar('z', d)))) },
  { written: '-log(sigmoid(z))', inputs: 'z = -200', feeds: { z: -200 }, naive: (d) => neg(log(sigmoid(scalar('z', d)))) },
  { written: '-log(1 - sigmoid(z))', inputs: 'z = 20', feeds: { z: 20 }, naive: (d) => neg(log(sub(1, sigmoid(scalar('z', d))))) },
  { written: '-log(1 - sigmoid(z))', inputs: 'z = 40', feeds: { z: 40 }, naive: (d) => neg(log(sub(1, sigmoid(scalar('z', d))))) },
  { written: 'BCE = -(y log(p) + (1-y) log(1-p)), p = sigmoid(z)', inputs: 'z = 1e4, y = 0', feeds: { z: 1e4, y: 0 }, naive: naiveBce },
  {
    written: 'd BCE / dz, same BCE', inputs: 'z = 1e4, y = 0', feeds: { z: 1e4, y: 0 }, naive: naiveBce, gradient: true,
  },
  {
    written: 'CE = -sum(y log(exp(z) / sum(exp(z))))', inputs: 'z = [1000, 0], y = [0, 1]', feeds: { z: [1000, 0], y: [0, 1] },
    naive: naiveSoftmaxCe, others: [softmaxOp],
  },
  {
    written: 'CE = -sum(y log(exp(z) / sum(exp(z))))', inputs: 'z = [20, 0], y = [1, 0]', feeds: { z: [20, 0], y: [1, 0] },
    naive: naiveSoftmaxCe, others: [softmaxOp, textbookLse],
  },
  {
    written: '(c + a) - (c - a)', inputs: 'c = 1, a = 1e-4', feeds: { c: 1, a: 1e-4 },
    naive: (d) => {
      const c = scalar('c', d);
      const a = scalar('a', d);
      return sub(add(c, a), sub(c, a));
    },
  },
];

/** The input node of `output`'s graph called `name`. */
function inputByName(output: Node, name: string): Node {
  const stack = [output];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.op === 'input' && node.name === name) return node;
    stack.push(...node.inputs);
  }
  throw new Error(`no input '${name}' in ${formatExpression(output)}`);
}

/** The shortest decimal that reads back as `x` in `dtype` (`-0`, `Infinity` and `NaN` spelt out). */
export function formatValue(x: number, dtype: DType): string {
  if (Object.is(x, -0)) return '-0';
  if (!Number.isFinite(x) || dtype === 'float64') return String(x);
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === x) return text;
  }
  return String(x);
}

/** One cell: the value, and how far it is from the exact one. */
function cell(value: number, exact: number, dtype: DType): string {
  const text = `\`${formatValue(value, dtype)}\``;
  if (!Number.isFinite(value)) return Number.isFinite(exact) ? `${text} ✗` : text;
  const distance = ulpDistance(value, exact, dtype);
  if (distance === 0) return `${text} ✓`;
  return `${text} (${distance < 1e4 ? String(distance) : distance.toExponential(1).replace('e+', 'e')} ULP)`;
}

/** Escapes `|` for a markdown table cell. */
const escapeCell = (text: string): string => text.replaceAll('|', '\\|');

/** The value of one scalar (or one-element) node. */
function valueOf(node: Node, feeds: Feeds): number {
  return evaluate(node, feeds).data[0]!;
}

/**
 * The table of docs/why-from-logits.md, as markdown: for each case the naive formula, any other
 * formulas, the stabilized one (its expression as `stabilize` or `prepareTraining` returns it)
 * and the exact value, in float64 and float32.
 * @example
 * ```ts
 * console.log(whyFromLogitsTable());
 * ```
 */
export function whyFromLogitsTable(): string {
  const lines = [
    '| case | formula | inputs | float64 | float32 |',
    '| --- | --- | --- | --- | --- |',
  ];
  CASES.forEach((c, index) => {
    const rows = new Map<string, { formula: string; cells: string[] }>();
    const exacts: string[] = [];
    for (const dtype of DTYPES) {
      const naive = c.naive(dtype);
      const z = c.gradient === true ? inputByName(naive, 'z') : undefined;
      const formulas: { label: string; formula: string; node: Node }[] = [];
      let stable: Node;
      if (z !== undefined) {
        // The naive gradient is core's grad of the naive loss; the stable one comes out of
        // prepareTraining (stabilize, then grad, then simplify).
        stable = prepareTraining({ loss: naive, params: [z] }).gradients[0]!;
        formulas.push({ label: 'naive, `grad`', formula: c.written, node: grad(naive, [z])[0]! });
        formulas.push({ label: 'with `prepareTraining`', formula: formatExpression(stable), node: stable });
      } else {
        stable = stabilize({ loss: naive }).graph.outputs[0]!;
        formulas.push({ label: 'naive', formula: c.written, node: naive });
        for (const other of c.others ?? []) {
          const node = other.build(naive, dtype);
          formulas.push({ label: other.label, formula: formatExpression(node), node });
        }
        formulas.push({ label: 'after `stabilize`', formula: formatExpression(stable), node: stable });
      }
      const exact = referenceEvaluate(stable, c.feeds).values[0]!;
      exacts.push(`\`${formatValue(exact, dtype)}\``);
      for (const f of formulas) {
        const row = rows.get(f.label) ?? { formula: f.formula, cells: [] };
        row.cells.push(cell(valueOf(f.node, c.feeds), exact, dtype));
        rows.set(f.label, row);
      }
    }
    for (const [label, row] of rows) {
      lines.push(`| ${index + 1}. ${label} | ${escapeCell(`\`${row.formula}\``)} | ${c.inputs} | ${row.cells.join(' | ')} |`);
    }
    lines.push(`| ${index + 1}. exact | | ${c.inputs} | ${exacts.join(' | ')} |`);
  });
  return `${lines.join('\n')}\n`;
}

/** The markers around the generated table in the guide. */
export const MARKERS = ['<!-- why-from-logits:begin (generated by `npm run docs:why`; do not edit) -->', '<!-- why-from-logits:end -->'] as const;

/**
 * `guide` with the text between the markers replaced by `table`.
 * @example
 * ```ts
 * writeFileSync(file, withTable(readFileSync(file, 'utf8'), whyFromLogitsTable()));
 * ```
 */
export function withTable(guide: string, table: string): string {
  const start = guide.indexOf(MARKERS[0]);
  const end = guide.indexOf(MARKERS[1]);
  if (start < 0 || end < start) throw new Error(`the guide has no ${MARKERS[0]} ... ${MARKERS[1]} block`);
  return `${guide.slice(0, start + MARKERS[0].length)}\n${table}${guide.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const table = whyFromLogitsTable();
  process.stdout.write(table);
  if (process.argv.includes('--write')) {
    const file = fileURLToPath(new URL('../../docs/why-from-logits.md', import.meta.url));
    writeFileSync(file, withTable(readFileSync(file, 'utf8'), table));
  }
}
