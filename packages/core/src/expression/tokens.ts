/**
 * The tokenizer of the expression language, and the error positions (line, column, caret
 * snippet) shared with the parser. A token is a number, a name, a quoted string or a symbol;
 * anything else is an error at its column. Tokenizing only reads text: nothing in it is ever
 * evaluated as code.
 * @module
 */
import { ExpressionError } from '../errors.js';

/**
 * Longest text `parseExpression` accepts, in characters: a loss is a line or two, and this
 * bounds the work a hostile text can ask for.
 * @example
 * ```ts
 * parseExpression('z + '.repeat(MAX_EXPRESSION_LENGTH), { z }); // ExpressionError: ... the text is 400000 characters long; ...
 * ```
 */
export const MAX_EXPRESSION_LENGTH = 100_000;

/** A symbol of the language. `**` is one token, so `a ** b` is never read as `a * *b`. */
export type SymbolText = '+' | '-' | '*' | '/' | '**' | '(' | ')' | ',' | '.' | '[' | ']' | '{' | '}' | ':';

/** One token, with its offset in the text for error messages. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly offset: number }
  | { readonly kind: 'name'; readonly text: string; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly text: string; readonly offset: number }
  | { readonly kind: 'symbol'; readonly text: SymbolText; readonly offset: number }
  | { readonly kind: 'end'; readonly text: ''; readonly offset: number };

// A decimal number: digits with an optional point, or a point and digits, then an optional
// exponent. No sign (unary minus is an operator), no hex, no Infinity.
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /\s+/y;
const SYMBOLS: readonly SymbolText[] = ['**', '+', '-', '*', '/', '(', ')', ',', '.', '[', ']', '{', '}', ':'];

/**
 * Splits `text` into tokens, ending with an `end` token.
 * @throws ExpressionError at the first character that starts no token, a number that overflows
 *   float64, an unterminated string, or text longer than {@link MAX_EXPRESSION_LENGTH}.
 * @example
 * ```ts
 * tokenize('z.log()').map((t) => t.text); // ['z', '.', 'log', '(', ')', '']
 * ```
 */
export function tokenize(text: string): Token[] {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw expressionError(text, MAX_EXPRESSION_LENGTH, `the text is ${text.length} characters long; expressions may have at most ${MAX_EXPRESSION_LENGTH}`);
  }
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const space = matchAt(SPACE, text, at);
    if (space !== null) { at += space.length; continue; }
    const number = matchAt(NUMBER, text, at);
    if (number !== null) {
      const value = Number(number);
      if (!Number.isFinite(value)) throw expressionError(text, at, `the number ${clipText(number)} is too large for float64 (at most about 1.8e308)`);
      tokens.push({ kind: 'number', value, text: number, offset: at });
      at += number.length;
      continue;
    }
    const name = matchAt(NAME, text, at);
    if (name !== null) { tokens.push({ kind: 'name', text: name, offset: at }); at += name.length; continue; }
    const quote = text[at]!;
    if (quote === "'" || quote === '"') {
      const close = text.indexOf(quote, at + 1);
      const newline = text.indexOf('\n', at + 1);
      if (close < 0 || (newline >= 0 && newline < close)) throw expressionError(text, at, `unterminated string: no closing ${quote} on this line`);
      const value = text.slice(at + 1, close);
      tokens.push({ kind: 'string', value, text: text.slice(at, close + 1), offset: at });
      at = close + 1;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, at));
    if (symbol === undefined) throw expressionError(text, at, `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(at)!))}`);
    tokens.push({ kind: 'symbol', text: symbol, offset: at });
    at += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

function matchAt(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

/** At most 40 characters of a token, for messages about hostile input. */
export function clipText(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}

/**
 * An ExpressionError at `offset` of `text`: line, column, and the line (at most ~70 characters
 * of it around the spot) with a caret under the spot.
 * @example
 * ```ts
 * expressionError('log(', 4, 'unexpected end').message;
 * // 'line 1, column 5: unexpected end\n  log(\n      ^'
 * ```
 */
export function expressionError(text: string, offset: number, problem: string, cause?: unknown): ExpressionError {
  const lineStart = lineStartOf(text, offset);
  const lineEndAt = text.indexOf('\n', offset);
  const lineEnd = lineEndAt < 0 ? text.length : lineEndAt;
  const line = countNewlines(text, lineStart) + 1;
  const column = offset - lineStart + 1;
  // A window of the line around the spot, so a 1 MB line does not become a 1 MB message.
  const from = Math.max(lineStart, offset - 40);
  const to = Math.min(lineEnd, offset + 30);
  const shown = `${from > lineStart ? '...' : ''}${text.slice(from, to)}${to < lineEnd ? '...' : ''}`;
  const caret = ' '.repeat(offset - from + (from > lineStart ? 3 : 0)) + '^';
  const snippet = `  ${shown}\n  ${caret}`;
  return new ExpressionError(problem, { offset, line, column, snippet }, cause === undefined ? undefined : { cause });
}

/**
 * Offset of the first character of the line holding `offset` (lastIndexOf clamps a negative
 * start to 0, which would find a newline at offset 0 from offset 0).
 * @example
 * ```ts
 * lineStartOf('x\n  + y', 5); // 2
 * ```
 */
export function lineStartOf(text: string, offset: number): number {
  return offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
