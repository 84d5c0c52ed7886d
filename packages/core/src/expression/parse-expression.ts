/**
 * `parseExpression(text, variables)`: the library's own expression syntax, read into a graph.
 * A hand-written recursive-descent parser over the tokens of tokens.ts that builds nodes as it
 * goes, with the same op functions a program would call. Text is only ever parsed, never run:
 * names are looked up in the variables given and in the function table of signatures.ts, and
 * nothing else is reachable.
 *
 * Grammar, loosest binding first (as in JavaScript and Python; `**` is right-associative and
 * binds tighter than unary minus on its left, so `-a ** 2` is `-(a ** 2)`):
 * ```text
 * expression := term (('+' | '-') term)*
 * term       := unary (('*' | '/') unary)*
 * unary      := '-' unary | '+' unary | power
 * power      := postfix ('**' unary)?
 * postfix    := primary ('.' name '(' arguments ')')*
 * primary    := number | 'string' | true | false | name | name '(' arguments ')'
 *             | '(' expression ')' | '[' items ']' | '{' name ':' expression, ... '}'
 * ```
 * @module
 */
import { ExpressionError, StablegradError } from '../errors.js';
import { Node } from '../node.js';
import { add } from '../ops/add.js';
import { div } from '../ops/div.js';
import { mul } from '../ops/mul.js';
import { neg } from '../ops/neg.js';
import { pow } from '../ops/pow.js';
import { sub } from '../ops/sub.js';
import { type ArgValue, ArgumentProblem, describe, FUNCTION_ONLY_SIGNATURES, type FunctionSignature, METHOD_SIGNATURES } from './signatures.js';
import { clipText, expressionError, lineStartOf, type SymbolText, type Token, tokenize } from './tokens.js';

/**
 * Deepest nesting of parentheses, calls, lists, unary minus and `**` that `parseExpression`
 * accepts: deeper text gets an ExpressionError instead of exhausting the call stack.
 * @example
 * ```ts
 * parseExpression('('.repeat(MAX_EXPRESSION_NESTING + 1) + 'z' + ')'.repeat(MAX_EXPRESSION_NESTING + 1), { z });
 * // ExpressionError: ... the expression is nested more than 200 levels deep
 * ```
 */
export const MAX_EXPRESSION_NESTING = 200;

/**
 * Reads `text` in the library's expression syntax and builds its graph from `variables`.
 *
 * - Numbers (`2`, `1e-7`, `.5`), the variables given, `+ - * / **`, unary minus, parentheses.
 * - Function calls with the core op names and exactly the library's arguments:
 *   `log(sigmoid(z))`, `clip(p, 1e-7, 1 - 1e-7)`, `mean(x, { axis: -1, keepDims: true })`,
 *   `softmax(z, -1)` (the axis of softmax and logSoftmax is positional, as in the library; the
 *   reductions take an options object), `cast(x, 'float64')`, `reshape(x, ['batch', 1])`.
 * - Method chains: `z.sigmoid().log()` is `log(sigmoid(z))`.
 * - Arithmetic between plain numbers happens while parsing, in float64 (`1 - 1e-7` is one
 *   constant), as it would in a JavaScript or Python program; a number meeting a tensor becomes
 *   a constant of the tensor's dtype, as `x.add(2)` does.
 *
 * @param variables the names the text may use, each bound to a node (usually an `input`).
 * @throws ExpressionError with the line, column and a caret snippet for anything it cannot
 *   read: unknown names, wrong arguments, unbalanced parentheses, numbers beyond float64, text
 *   longer than MAX_EXPRESSION_LENGTH or nested deeper than MAX_EXPRESSION_NESTING, and shape or
 *   dtype errors of the ops themselves (with the op's message).
 * @example
 * ```ts
 * const z = input([3], { name: 'z', dtype: 'float64' });
 * const y = input([3], { name: 'y', dtype: 'float64' });
 * const loss = parseExpression('-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))', { z, y });
 * stabilize(graph({ loss })); // fuses it into sigmoidCrossEntropyWithLogits(z, y)
 * ```
 */
export function parseExpression(text: string, variables: Readonly<Record<string, Node>>): Node {
  const bound = new Map<string, Node>();
  for (const [name, node] of Object.entries(variables)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'true' || name === 'false') {
      throw new TypeError(`parseExpression: the variable name ${JSON.stringify(name)} cannot be written in an expression; use letters, digits and _`);
    }
    if (!(node instanceof Node)) throw new TypeError(`parseExpression: variable '${name}' must be a Node, got ${typeof node}`);
    bound.set(name, node);
  }
  return new Parser(text, tokenize(text), bound).whole();
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string, private readonly tokens: readonly Token[], private readonly variables: ReadonlyMap<string, Node>) {}

  whole(): Node {
    const value = this.expression();
    const next = this.peek();
    if (next.kind !== 'end') {
      const hint = next.kind === 'symbol' && next.text === ')' ? ' (an unmatched closing parenthesis)' : '';
      throw this.error(next.offset, `expected an operator or the end of the text, found ${this.show(next)}${hint}`);
    }
    if (value.kind === 'node') return value.node;
    const names = [...this.variables.keys()].join(', ') || 'none declared';
    throw this.error(value.offset, `the expression is ${describe(value)}, not a tensor: use at least one variable (${names})`);
  }

  private expression(): ArgValue {
    let left = this.term();
    for (let op = this.symbolAhead('+', '-'); op !== undefined; op = this.symbolAhead('+', '-')) {
      this.at++;
      left = this.arithmetic(op, left, this.term());
    }
    return left;
  }

  private term(): ArgValue {
    let left = this.unary();
    for (let op = this.symbolAhead('*', '/'); op !== undefined; op = this.symbolAhead('*', '/')) {
      this.at++;
      left = this.arithmetic(op, left, this.unary());
    }
    return left;
  }

  private unary(): ArgValue {
    const sign = this.symbolAhead('-', '+');
    if (sign === undefined) return this.power();
    this.at++;
    const operand = this.nested(sign.offset, () => this.unary());
    if (sign.text === '+') return this.arithmeticOperand(operand, sign);
    if (operand.kind === 'number') return { kind: 'number', value: -operand.value, offset: sign.offset };
    return { kind: 'node', node: this.building(sign.offset, 'unary minus', () => neg(this.arithmeticOperand(operand, sign).node!)), offset: sign.offset };
  }

  private power(): ArgValue {
    const base = this.postfix();
    const op = this.symbolAhead('**');
    if (op === undefined) return base;
    this.at++;
    return this.arithmetic(op, base, this.nested(op.offset, () => this.unary()));
  }

  private postfix(): ArgValue {
    let value = this.primary();
    for (let dot = this.symbolAhead('.'); dot !== undefined; dot = this.symbolAhead('.')) {
      this.at++;
      const name = this.next();
      if (name.kind !== 'name') throw this.error(name.offset, `expected a method name after '.', found ${this.show(name)}`);
      if (!Object.hasOwn(METHOD_SIGNATURES, name.text)) {
        const also = Object.hasOwn(FUNCTION_ONLY_SIGNATURES, name.text) ? `; ${name.text} is a function: write ${FUNCTION_ONLY_SIGNATURES[name.text]!.usage}` : suggestion(name.text);
        throw this.error(name.offset, `unknown method '${clipText(name.text)}'${also}`);
      }
      const signature = METHOD_SIGNATURES[name.text as keyof typeof METHOD_SIGNATURES];
      if (value.kind !== 'node') throw this.error(dot.offset, `a method needs a tensor before the '.', found ${describe(value)}; write ${methodUsage(signature.usage)}`);
      const args = this.callArguments(name.text);
      value = { kind: 'node', node: this.call(name.text, name.offset, signature, [value, ...args.values], args.end, true), offset: value.offset };
    }
    return value;
  }

  private primary(): ArgValue {
    const token = this.next();
    switch (token.kind) {
      case 'number': return { kind: 'number', value: token.value, offset: token.offset };
      case 'string': return { kind: 'string', value: token.value, offset: token.offset };
      case 'name': return this.named(token);
      case 'end': throw this.error(token.offset, 'the expression is incomplete: expected a number, a variable, a call or a parenthesis, found the end of the text');
      case 'symbol': return this.bracketed(token);
      default: return token satisfies never;
    }
  }

  private named(token: Token & { kind: 'name' }): ArgValue {
    const { text: name, offset } = token;
    if (name === 'true' || name === 'false') return { kind: 'bool', value: name === 'true', offset };
    const open = this.symbolAhead('(');
    if (open !== undefined) {
      const signature = functionSignature(name);
      if (signature === undefined) throw this.error(offset, `unknown function '${clipText(name)}'${suggestion(name)}`);
      const args = this.callArguments(name);
      return { kind: 'node', node: this.call(name, offset, signature, args.values, args.end, false), offset };
    }
    const node = this.variables.get(name);
    if (node !== undefined) return { kind: 'node', node, offset };
    if (functionSignature(name) !== undefined) throw this.error(offset, `${name} is a function: call it, as in ${functionSignature(name)!.usage}`);
    const names = [...this.variables.keys()];
    throw this.error(offset, `unknown variable '${clipText(name)}' (the variables are ${names.length > 0 ? names.join(', ') : 'none: none were declared'})`);
  }

  private bracketed(open: Token & { kind: 'symbol' }): ArgValue {
    switch (open.text) {
      case '(': {
        const inner = this.nested(open.offset, () => this.expression());
        this.close(')', open, 'the parenthesis');
        return inner;
      }
      case '[': {
        const items = this.nested(open.offset, () => this.list(']', () => this.expression()));
        this.close(']', open, 'the list');
        return { kind: 'list', items, offset: open.offset };
      }
      case '{': {
        const entries = new Map<string, ArgValue>();
        this.nested(open.offset, () => this.list('}', () => {
          const key = this.next();
          if (key.kind !== 'name' && key.kind !== 'string') throw this.error(key.offset, `expected an option name, found ${this.show(key)}`);
          const name = key.kind === 'name' ? key.text : key.value;
          if (entries.has(name)) throw this.error(key.offset, `option '${clipText(name)}' is given twice`);
          const colon = this.next();
          if (colon.kind !== 'symbol' || colon.text !== ':') throw this.error(colon.offset, `expected ':' after the option name '${clipText(name)}', found ${this.show(colon)}`);
          entries.set(name, this.expression());
        }));
        this.close('}', open, 'the options object');
        return { kind: 'object', entries, offset: open.offset };
      }
      default:
        throw this.error(open.offset, `expected a number, a variable, a call or a parenthesis, found ${this.show(open)}`);
    }
  }

  /** Comma-separated items up to (not including) `end`; no trailing comma. */
  private list<T>(end: SymbolText, item: () => T): T[] {
    const items: T[] = [];
    if (this.symbolAhead(end) !== undefined) return items;
    for (;;) {
      items.push(item());
      if (this.symbolAhead(',') === undefined) return items;
      this.at++;
    }
  }

  private callArguments(name: string): { values: ArgValue[]; end: number } {
    const open = this.next();
    if (open.kind !== 'symbol' || open.text !== '(') throw this.error(open.offset, `expected '(' after ${name}, found ${this.show(open)}`);
    const values = this.nested(open.offset, () => this.list(')', () => this.expression()));
    const close = this.peek();
    if (close.kind !== 'symbol' || close.text !== ')') {
      throw this.error(close.offset, `expected ',' or ')' to close the call of ${clipText(name)} (opened at column ${this.columnOf(open.offset)}), found ${this.show(close)}`);
    }
    this.at++;
    return { values, end: close.offset };
  }

  private call(name: string, offset: number, signature: FunctionSignature, args: readonly ArgValue[], end: number, method: boolean): Node {
    const required = signature.params.filter((p) => !p.endsWith('?')).length;
    const usage = method ? methodUsage(signature.usage) : signature.usage;
    const shift = method ? 1 : 0;
    if (args.length < required || args.length > signature.params.length) {
      const counts = required === signature.params.length ? `${required - shift}` : `${required - shift} to ${signature.params.length - shift}`;
      throw this.error(args.length < required ? end : args[signature.params.length]!.offset, `${name} takes ${counts} argument${counts === '1' ? '' : 's'}, as in ${usage}; found ${args.length - shift}`);
    }
    return this.building(offset, name, () => {
      try {
        return signature.build(args);
      } catch (e) {
        if (!(e instanceof ArgumentProblem)) throw e;
        const index = e.argument ?? -1;
        const which = index >= shift ? `argument ${index - shift + 1} of ${name}` : index === 0 && method ? `the tensor before .${name}` : name;
        throw this.error(e.offset, `${which}: ${e.problem}; ${name} is written ${usage}`);
      }
    });
  }

  private arithmetic(op: Token & { kind: 'symbol' }, left: ArgValue, right: ArgValue): ArgValue {
    const a = this.arithmeticOperand(left, op);
    const b = this.arithmeticOperand(right, op);
    if (a.number !== undefined && b.number !== undefined) {
      const value = numberArithmetic(op.text, a.number, b.number);
      if (!Number.isFinite(value)) throw this.error(op.offset, `the constant arithmetic ${a.number} ${op.text} ${b.number} gives ${value}, which is not a finite number`);
      return { kind: 'number', value, offset: left.offset };
    }
    const x = a.node ?? a.number!;
    const y = b.node ?? b.number!;
    const build = { '+': add, '-': sub, '*': mul, '/': div, '**': pow }[op.text as '+' | '-' | '*' | '/' | '**'];
    return { kind: 'node', node: this.building(op.offset, `'${op.text}'`, () => build(x, y)), offset: left.offset };
  }

  private arithmeticOperand(value: ArgValue, op: Token): ArgValue & { node?: Node; number?: number } {
    if (value.kind === 'node') return { ...value, node: value.node };
    if (value.kind === 'number') return { ...value, number: value.value };
    throw this.error(value.offset, `${describe(value)} cannot be an operand of '${op.text}'`);
  }

  /** Runs an op builder; its errors (shapes, dtypes, bad attributes) become ExpressionErrors at `offset`. */
  private building(offset: number, what: string, build: () => Node): Node {
    try {
      return build();
    } catch (e) {
      if (e instanceof ExpressionError) throw e;
      if (e instanceof StablegradError || e instanceof RangeError || e instanceof TypeError) throw this.error(offset, `${what}: ${e.message}`, e);
      throw e;
    }
  }

  private nested<T>(offset: number, parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_NESTING) throw this.error(offset, `the expression is nested more than ${MAX_EXPRESSION_NESTING} levels deep`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private close(symbol: SymbolText, open: Token, what: string): void {
    const token = this.peek();
    if (token.kind === 'symbol' && token.text === symbol) { this.at++; return; }
    throw this.error(token.offset, `expected '${symbol}' to close ${what} opened at column ${this.columnOf(open.offset)}, found ${this.show(token)}`);
  }

  private symbolAhead<S extends SymbolText>(...symbols: S[]): (Token & { kind: 'symbol'; text: S }) | undefined {
    const token = this.peek();
    return token.kind === 'symbol' && (symbols as SymbolText[]).includes(token.text) ? token as Token & { kind: 'symbol'; text: S } : undefined;
  }

  private peek(): Token { return this.tokens[this.at]!; }

  private next(): Token {
    const token = this.tokens[this.at]!;
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private show(token: Token): string {
    return token.kind === 'end' ? 'the end of the text' : `'${clipText(token.text)}'`;
  }

  private columnOf(offset: number): number {
    return offset - lineStartOf(this.text, offset) + 1;
  }

  private error(offset: number, problem: string, cause?: unknown): Error {
    return expressionError(this.text, offset, problem, cause);
  }
}

function numberArithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return a ** b;
  }
}

function functionSignature(name: string): FunctionSignature | undefined {
  if (Object.hasOwn(METHOD_SIGNATURES, name)) return METHOD_SIGNATURES[name as keyof typeof METHOD_SIGNATURES];
  if (Object.hasOwn(FUNCTION_ONLY_SIGNATURES, name)) return FUNCTION_ONLY_SIGNATURES[name];
  return undefined;
}

/** `clip(x, lo, hi)` as a method: `x.clip(lo, hi)`. */
function methodUsage(usage: string): string {
  const match = /^(\w+)\(([^,)]+)(?:, )?(.*)\)$/.exec(usage);
  return match === null ? usage : `${match[2]}.${match[1]}(${match[3]})`;
}

/** " (did you mean log?)" when a known function is one or two edits away, or differs in case. */
function suggestion(name: string): string {
  if (name.length > 60) return '';
  const known = [...Object.keys(METHOD_SIGNATURES), ...Object.keys(FUNCTION_ONLY_SIGNATURES)];
  const close = known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? known.find((k) => editDistance(k, name) <= (name.length <= 3 ? 1 : 2));
  return close === undefined ? '' : ` (did you mean ${close}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length]!;
}
