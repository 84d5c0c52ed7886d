// parseExpression: text in the library's syntax must build the graph a program calling the same
// functions builds (checked by printing both), follow the usual precedence (checked against
// JavaScript's own arithmetic), and refuse anything else with an ExpressionError at the right
// column — hostile text included, which must never overflow the stack or run.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  abs, add, broadcastTo, cast, clip, div, equal, evaluate, exp, expandDims, expm1, ExpressionError, gather, graph, greater, greaterEqual,
  input, less, lessEqual, log, log1mexp, log1p, logaddexp, logSigmoid, logSoftmax, logsumexp, matmul, max, MAX_EXPRESSION_LENGTH,
  MAX_EXPRESSION_NESTING, maximum, mean, min, minimum, mul, neg, Node, notEqual, oneHot, parseExpression, pow, printGraph, relu, rsqrt,
  reshape, sigmoid, sigmoidCrossEntropyWithLogits, sign, slice, softmax, softmaxCrossEntropyWithLogits, softplus,
  sparseSoftmaxCrossEntropyWithLogits, sqrt, square, squeeze, sub, sum, tanh, tensor, transpose, variance, weightedSigmoidCrossEntropyWithLogits,
  where,
} from '@stablegrad/core';
import { propertyParams } from '@stablegrad/testing';

const RUNS = propertyParams(200);

const x = input([2, 3], { name: 'x', dtype: 'float64' });
const y = input([2, 3], { name: 'y', dtype: 'float64' });
const w = input([3, 4], { name: 'w', dtype: 'float64' });
const labels = input([2], { name: 'labels', dtype: 'int32' });
const column = input([2, 1], { name: 'column', dtype: 'float64' });
const VARIABLES = { x, y, w, labels, column };

/** Both spellings of each chained method and the graph a program builds for them. */
const METHOD_CASES: { readonly [name: string]: readonly (readonly [function: string, method: string, byHand: () => Node])[] } = {
  add: [['add(x, y)', 'x.add(y)', () => add(x, y)], ['add(x, 2)', 'x.add(2)', () => add(x, 2)]],
  sub: [['sub(x, y)', 'x.sub(y)', () => sub(x, y)]],
  mul: [['mul(x, 2)', 'x.mul(2)', () => mul(x, 2)]],
  div: [['div(x, y)', 'x.div(y)', () => div(x, y)]],
  pow: [['pow(x, 3)', 'x.pow(3)', () => pow(x, 3)]],
  maximum: [['maximum(x, 0)', 'x.maximum(0)', () => maximum(x, 0)]],
  minimum: [['minimum(x, y)', 'x.minimum(y)', () => minimum(x, y)]],
  logaddexp: [['logaddexp(x, y)', 'x.logaddexp(y)', () => logaddexp(x, y)]],
  equal: [['equal(labels, 1)', 'labels.equal(1)', () => equal(labels, 1)]],
  notEqual: [['notEqual(x, y)', 'x.notEqual(y)', () => notEqual(x, y)]],
  less: [['less(x, 0.5)', 'x.less(0.5)', () => less(x, 0.5)]],
  lessEqual: [['lessEqual(x, y)', 'x.lessEqual(y)', () => lessEqual(x, y)]],
  greater: [['greater(x, 0.5)', 'x.greater(0.5)', () => greater(x, 0.5)]],
  greaterEqual: [['greaterEqual(x, y)', 'x.greaterEqual(y)', () => greaterEqual(x, y)]],
  neg: [['neg(x)', 'x.neg()', () => neg(x)]],
  abs: [['abs(x)', 'x.abs()', () => abs(x)]],
  sign: [['sign(x)', 'x.sign()', () => sign(x)]],
  exp: [['exp(x)', 'x.exp()', () => exp(x)]],
  log: [['log(x)', 'x.log()', () => log(x)]],
  log1p: [['log1p(x)', 'x.log1p()', () => log1p(x)]],
  expm1: [['expm1(x)', 'x.expm1()', () => expm1(x)]],
  sqrt: [['sqrt(x)', 'x.sqrt()', () => sqrt(x)]],
  rsqrt: [['rsqrt(x)', 'x.rsqrt()', () => rsqrt(x)]],
  square: [['square(x)', 'x.square()', () => square(x)]],
  tanh: [['tanh(x)', 'x.tanh()', () => tanh(x)]],
  sigmoid: [['sigmoid(x)', 'x.sigmoid()', () => sigmoid(x)]],
  relu: [['relu(x)', 'x.relu()', () => relu(x)]],
  softplus: [['softplus(x)', 'x.softplus()', () => softplus(x)]],
  logSigmoid: [['logSigmoid(x)', 'x.logSigmoid()', () => logSigmoid(x)]],
  log1mexp: [['log1mexp(x)', 'x.log1mexp()', () => log1mexp(x)]],
  clip: [['clip(x, 1e-7, 1 - 1e-7)', 'x.clip(1e-7, 1 - 1e-7)', () => clip(x, 1e-7, 1 - 1e-7)]],
  cast: [["cast(x, 'float32')", 'x.cast("float32")', () => cast(x, 'float32')]],
  sum: [['sum(x)', 'x.sum()', () => sum(x)], ['sum(x, { axis: -1, keepDims: true })', 'x.sum({ keepDims: true, axis: -1 })', () => sum(x, { axis: -1, keepDims: true })]],
  mean: [['mean(x, { axis: 0 })', 'x.mean({ axis: 0 })', () => mean(x, { axis: 0 })]],
  variance: [['variance(x, { axis: 0 })', 'x.variance({ axis: 0 })', () => variance(x, { axis: 0 })]],
  max: [['max(x, { axis: [0, 1], keepDims: true })', 'x.max({ axis: [0, 1], keepDims: true })', () => max(x, { axis: [0, 1], keepDims: true })]],
  min: [['min(x, { axis: 1 })', 'x.min({ axis: 1 })', () => min(x, { axis: 1 })]],
  logsumexp: [['logsumexp(x, { axis: -1 })', 'x.logsumexp({ axis: -1 })', () => logsumexp(x, { axis: -1 })]],
  softmax: [['softmax(x)', 'x.softmax()', () => softmax(x)], ['softmax(x, 0)', 'x.softmax(0)', () => softmax(x, 0)]],
  logSoftmax: [['logSoftmax(x, -1)', 'x.logSoftmax(-1)', () => logSoftmax(x, -1)]],
  matmul: [['matmul(x, w)', 'x.matmul(w)', () => matmul(x, w)]],
  transpose: [['transpose(x)', 'x.transpose()', () => transpose(x)], ['transpose(x, [1, 0])', 'x.transpose([1, 0])', () => transpose(x, [1, 0])]],
  reshape: [['reshape(x, [3, 2])', 'x.reshape([3, 2])', () => reshape(x, [3, 2])], ["reshape(x, ['rows', 3])", "x.reshape(['rows', 3])", () => reshape(x, ['rows', 3])]],
  broadcastTo: [['broadcastTo(column, [2, 3])', 'column.broadcastTo([2, 3])', () => broadcastTo(column, [2, 3])]],
  expandDims: [['expandDims(x, -1)', 'x.expandDims(-1)', () => expandDims(x, -1)]],
  squeeze: [['squeeze(column)', 'column.squeeze()', () => squeeze(column)], ['squeeze(column, [1])', 'column.squeeze([1])', () => squeeze(column, [1])]],
  gather: [['gather(x, labels, { axis: 1, batchDims: 1 })', 'x.gather(labels, { axis: 1, batchDims: 1 })', () => gather(x, labels, { axis: 1, batchDims: 1 })]],
  oneHot: [["oneHot(labels, 3, { dtype: 'float64' })", "labels.oneHot(3, { dtype: 'float64' })", () => oneHot(labels, 3, { dtype: 'float64' })]],
};

/** The ops that are only functions. */
const FUNCTION_CASES: readonly (readonly [string, () => Node])[] = [
  ['where(greater(x, 0), x, 0)', () => where(greater(x, 0), x, 0)],
  ['slice(x, [0, 1], [2, 2])', () => slice(x, [0, 1], [2, 2])],
  ['sigmoidCrossEntropyWithLogits(x, y)', () => sigmoidCrossEntropyWithLogits(x, y)],
  ['softmaxCrossEntropyWithLogits(x, y, -1)', () => softmaxCrossEntropyWithLogits(x, y, -1)],
  ['sparseSoftmaxCrossEntropyWithLogits(x, labels)', () => sparseSoftmaxCrossEntropyWithLogits(x, labels)],
  ['weightedSigmoidCrossEntropyWithLogits(x, y, 2)', () => weightedSigmoidCrossEntropyWithLogits(x, y, 2)],
];

const parse = (text: string): Node => parseExpression(text, VARIABLES);

describe('parseExpression builds the graph the program builds', () => {
  it('covers every chained method of Node', () => {
    const methods = Object.getOwnPropertyNames(Node.prototype).filter((name) => !['constructor', 'path', 'rank', 'toString'].includes(name));
    expect(Object.keys(METHOD_CASES).sort()).toEqual(methods.sort());
  });

  it.each(Object.entries(METHOD_CASES))('%s: function and method spellings', (_name, cases) => {
    for (const [functionText, methodText, byHand] of cases) {
      expect(printGraph(graph({ out: parse(functionText) }))).toBe(printGraph(graph({ out: byHand() })));
      expect(printGraph(graph({ out: parse(methodText) }))).toBe(printGraph(graph({ out: byHand() })));
    }
  });

  it.each(FUNCTION_CASES)('%s', (text, byHand) => {
    expect(printGraph(graph({ out: parse(text) }))).toBe(printGraph(graph({ out: byHand() })));
  });

  it('the three losses of the playground', () => {
    const z = input(['batch'], { name: 'z', dtype: 'float64' });
    const t = input(['batch'], { name: 'y', dtype: 'float64' });
    const a = input([], { name: 'a', dtype: 'float64' });
    const cases: readonly (readonly [string, Node])[] = [
      ['-(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)))', neg(add(mul(t, log(sigmoid(z))), mul(sub(1, t), log(sub(1, sigmoid(z))))))],
      ['-(y * log(clip(z.sigmoid(), 1e-7, 1 - 1e-7)) + (1 - y) * log(1 - clip(z.sigmoid(), 1e-7, 1 - 1e-7)))',
        neg(add(mul(t, log(clip(sigmoid(z), 1e-7, 1 - 1e-7))), mul(sub(1, t), log(sub(1, clip(sigmoid(z), 1e-7, 1 - 1e-7))))))],
      ['(1 + a) - (1 - a)', sub(add(1, a), sub(1, a))],
    ];
    for (const [text, byHand] of cases) {
      expect(printGraph(graph({ loss: parseExpression(text, { z, y: t, a }) }))).toBe(printGraph(graph({ loss: byHand })));
    }
  });

  /** A random expression over x and y: its text in both spellings, and the graph a program builds. */
  type Tree = { readonly text: string; readonly chained: string; readonly build: () => Node };
  const leaf: fc.Arbitrary<Tree> = fc.constantFrom<Tree>(
    { text: 'x', chained: 'x', build: () => x },
    { text: 'y', chained: 'y', build: () => y },
  );
  const UNARY = { exp, log, sigmoid, tanh, softplus, neg, square } as const;
  const BINARY = { '+': add, '-': sub, '*': mul, '/': div } as const;
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((self) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(fc.constantFrom(...(Object.keys(UNARY) as (keyof typeof UNARY)[])), self('tree')).map(([op, a]): Tree => ({
        text: `${op}(${a.text})`, chained: `(${a.chained}).${op}()`, build: () => UNARY[op](a.build()),
      })),
      fc.tuple(fc.constantFrom(...(Object.keys(BINARY) as (keyof typeof BINARY)[])), self('tree'), self('tree')).map(([op, a, b]): Tree => ({
        text: `(${a.text}) ${op} (${b.text})`, chained: `(${a.chained}).${{ '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' }[op]}(${b.chained})`, build: () => BINARY[op](a.build(), b.build()),
      })),
      fc.tuple(self('tree'), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })).map(([a, c]): Tree => ({
        // A negative constant is written with unary minus: the parser folds it into the number.
        text: `(${a.text}) * ${c < 0 || Object.is(c, -0) ? `(-${-c})` : c}`, chained: `(${a.chained}).mul(${c < 0 || Object.is(c, -0) ? `-${-c}` : c})`, build: () => mul(a.build(), c),
      })),
    ),
  })).tree;

  test.prop([tree], RUNS)('random expressions, in call syntax and as method chains', (t) => {
    const expected = printGraph(graph({ out: t.build() }));
    expect(printGraph(graph({ out: parse(t.text) }))).toBe(expected);
    expect(printGraph(graph({ out: parse(t.chained) }))).toBe(expected);
  });
});

describe('precedence and constant arithmetic follow JavaScript', () => {
  const a = input([], { name: 'a', dtype: 'float64' });
  const at = (text: string, value: number): number => evaluate(parseExpression(text, { a }), { a: tensor(value, { dtype: 'float64' }) }).data[0]!;

  // Each text is valid JavaScript with `a` a number: the parsed graph must give what JS gives.
  it.each([
    ['a + 2 * 3', (v: number) => v + 2 * 3],
    ['(a + 2) * 3', (v: number) => (v + 2) * 3],
    ['a - 3 - 2', (v: number) => v - 3 - 2],
    ['a / 4 / 2', (v: number) => v / 4 / 2],
    ['a ** 3 ** 0.5', (v: number) => v ** 3 ** 0.5],
    ['2 ** -a', (v: number) => 2 ** -v],
    ['-(a ** 2)', (v: number) => -(v ** 2)],
    ['1 - -a', (v: number) => 1 - -v],
    ['a * (1 - 1e-7)', (v: number) => v * (1 - 1e-7)],
  ] as const)('%s', (text, js) => {
    for (const v of [1.5, 3, 0.25]) expect(at(text, v)).toBe(js(v));
  });

  it('-a ** 2 is -(a ** 2), as in Python (JavaScript refuses the spelling)', () => {
    expect(at('-a ** 2', 3)).toBe(-9);
  });

  it('folds arithmetic between numbers into one constant, in float64', () => {
    const clipped = parseExpression('clip(a, 1e-7, 1 - 1e-7)', { a });
    expect(clipped.attrs).toEqual({ lo: 1e-7, hi: 1 - 1e-7 });
    expect(graph({ out: parseExpression('a * (2 * 3 - 1)', { a }) }).nodes.filter((n) => n.op === 'mul')).toHaveLength(1);
  });
});

/** The error for `text`, which must be an ExpressionError. */
function errorOf(text: string, variables: Readonly<Record<string, Node>> = VARIABLES): ExpressionError {
  try {
    parseExpression(text, variables);
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw new Error(`expected an ExpressionError for ${JSON.stringify(text.slice(0, 80))}, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected an ExpressionError for ${JSON.stringify(text.slice(0, 80))}, but it parsed`);
}

describe('bad text gets an ExpressionError at the right column', () => {
  it.each([
    ['log(sigmoid(x)', 15, "expected ',' or ')' to close the call of log (opened at column 4), found the end of the text"],
    ['log(sigmoid(x)))', 16, 'unmatched closing parenthesis'],
    ['lg(x)', 1, "unknown function 'lg' (did you mean log?)"],
    ['x + q', 5, "unknown variable 'q' (the variables are x, y, w, labels, column)"],
    ['x.sigmod()', 3, "unknown method 'sigmod' (did you mean sigmoid?)"],
    ['x +', 4, 'the expression is incomplete'],
    ['x @ w', 3, 'unexpected character "@"'],
    ['clip(x, 1)', 10, 'clip takes 3 arguments, as in clip(x, lo, hi); found 2'],
    ['x.clip(0, 1, 2)', 14, 'clip takes 2 arguments, as in x.clip(lo, hi); found 3'],
    ['clip(x, y, 1)', 9, 'argument 2 of clip: expected a number'],
    ['softmax(x, { axis: -1 })', 12, 'argument 2 of softmax: expected an integer'],
    ['sum(x, { axes: 1 })', 16, "unknown option 'axes'"],
    ['sum(x, { axis: 1, axis: 0 })', 19, "option 'axis' is given twice"],
    ['sum(x, { keepDims: 1 })', 20, 'keepDims must be true or false'],
    ["cast(x, 'float16')", 9, "expected a dtype, one of 'float32', 'float64', 'int32'"],
    ["cast(x, 'float32)", 9, 'unterminated string'],
    ['x + [1, 2]', 5, "a list cannot be an operand of '+'"],
    ['(2).exp()', 4, "a method needs a tensor before the '.', found the number 2; write x.exp()"],
    ['x.where(y, 0)', 3, 'where is a function: write where(condition, a, b)'],
    ['log', 1, 'log is a function: call it'],
    ['2 * 3', 1, 'the expression is the number 6, not a tensor'],
    ['x + 1 / 0', 7, 'the constant arithmetic 1 / 0 gives Infinity'],
    ['x * 1e309', 5, 'the number 1e309 is too large for float64'],
    ['matmul(x, y)', 1, 'matmul: '],
    ['x + w', 3, "'+': "],
    ['mean(x, { axis: 5 })', 1, 'mean: '],
    ['x.', 3, "expected a method name after '.', found the end of the text"],
    ['x\n  + log(', 9, 'the expression is incomplete'],
  ] as const)('%j', (text, column, problem) => {
    const error = errorOf(text);
    expect(error.problem).toContain(problem);
    expect(error.column).toBe(column);
    expect(error.message.startsWith(`line ${error.line}, column ${column}: `)).toBe(true);
    // The snippet's caret sits under the column of the error's line.
    const [, shownLine, caretLine] = error.message.split('\n').slice(-3);
    expect(shownLine).toBe(`  ${text.split('\n')[error.line - 1]}`);
    expect(caretLine).toBe(`  ${' '.repeat(column - 1)}^`);
  });

  it('counts lines', () => {
    const error = errorOf('x\n  + log(');
    expect([error.line, error.column]).toEqual([2, 9]);
  });

  it('an op that refuses its inputs keeps its own error as the cause', () => {
    const error = errorOf('matmul(x, y)');
    expect((error.cause as Error).name).toBe('ShapeError');
  });

  it('names of Object.prototype are not functions or variables', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(errorOf(`${name}(x)`).problem).toContain(`unknown function '${name}'`);
      expect(errorOf(`x + ${name}`).problem).toContain(`unknown variable '${name}'`);
      expect(errorOf(`x.${name}()`).problem).toContain(`unknown method '${name}'`);
    }
  });
});

describe('hostile text', () => {
  it.each([
    ['parentheses', '('.repeat(49_000) + 'x' + ')'.repeat(49_000)],
    ['calls', 'exp('.repeat(19_000) + 'x' + ')'.repeat(19_000)],
    ['method arguments', 'x.add('.repeat(14_000) + 'x' + ')'.repeat(14_000)],
    ['unary minus', '-'.repeat(99_000) + 'x'],
    ['powers', 'x ** '.repeat(19_000) + 'x'],
    ['lists', 'reshape(x, ' + '['.repeat(49_000) + ']'.repeat(49_000) + ')'],
    ['options objects', 'sum(x, ' + '{ axis: '.repeat(9_000) + '1' + ' }'.repeat(9_000) + ')'],
  ])('nesting %s deeper than the limit is an error, not a stack overflow', (_what, text) => {
    expect(text.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    const error = errorOf(text);
    expect(error.problem).toBe(`the expression is nested more than ${MAX_EXPRESSION_NESTING} levels deep`);
    // The message stays short, whatever the size of the text.
    expect(error.message.length).toBeLessThan(300);
  });

  it('nesting up to the limit parses', () => {
    const depth = MAX_EXPRESSION_NESTING - 1;
    const node = parse('exp('.repeat(depth) + 'x' + ')'.repeat(depth));
    expect(graph({ node }).nodes).toHaveLength(depth + 1);
  });

  it('a long flat sum parses without recursion', () => {
    const terms = 20_000;
    const node = parse(Array.from({ length: terms }, () => 'x').join(' + '));
    expect(graph({ node }).nodes.filter((n) => n.op === 'add')).toHaveLength(terms - 1);
  });

  it('1 MB of text is refused at once, with a short message', () => {
    const error = errorOf('x + '.repeat(262_144));
    expect(error.problem).toBe(`the text is 1048576 characters long; expressions may have at most ${MAX_EXPRESSION_LENGTH}`);
    expect(error.offset).toBe(MAX_EXPRESSION_LENGTH);
    expect(error.message.length).toBeLessThan(300);
  });

  it('a 1 MB name or number is clipped in the message', () => {
    expect(errorOf('q'.repeat(90_000)).message.length).toBeLessThan(400);
    expect(errorOf('9'.repeat(90_000)).problem).toContain('too large for float64');
  });

  it('JavaScript in the text is never run', () => {
    const g = globalThis as { pwned?: boolean };
    for (const text of ['globalThis.pwned = true', 'x.constructor.constructor("globalThis.pwned = true")()', '(() => { globalThis.pwned = true })()', '`${x}`', 'x; globalThis.pwned = 1']) {
      expect(() => parse(text)).toThrow(ExpressionError);
    }
    expect(g.pwned).toBeUndefined();
  });

  const ALPHABET = [...'xyw0123456789.e+-*/(),[]{}:\'" ', 'log', 'sigmoid', 'sum', 'axis', 'clip', 'softmax', '**', '\n', 'true', '#'];
  test.prop([fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((parts) => parts.join(''))], propertyParams(1000))(
    'random text either parses or throws an ExpressionError inside the text',
    (text) => {
      try {
        expect(parse(text)).toBeInstanceOf(Node);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(text.length);
        expect(e.message).toContain('^');
      }
    },
  );

  it('refuses variable names it could not read back', () => {
    expect(() => parseExpression('x', { 'my var': x })).toThrow(/cannot be written in an expression/);
    expect(() => parseExpression('x', { true: x })).toThrow(/cannot be written/);
    expect(() => parseExpression('x', { x: 3 as unknown as Node })).toThrow(/must be a Node/);
  });
});
