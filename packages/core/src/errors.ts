/**
 * Typed errors. Each says what was expected, what was found, and which named node, input or
 * file path it concerns, so a user can find the line of their own code that caused it.
 * @module
 */

/**
 * Base class of every error stablegrad throws on purpose.
 * @example
 * ```ts
 * try {
 *   evaluate(loss, feeds);
 * } catch (error) {
 *   if (error instanceof StablegradError) console.error(error.message); // one clear line
 *   else throw error;
 * }
 * ```
 */
export class StablegradError extends Error {
  override name = 'StablegradError';
}

/**
 * Shapes do not fit: ranks or dimensions an op cannot accept, or a runtime shape that does
 * not match the declared one.
 * @example
 * ```ts
 * matmul(input([2, 3]), input([4, 5])); // ShapeError: matmul 'matmul': inner dimensions differ ...
 * ```
 */
export class ShapeError extends StablegradError {
  override name = 'ShapeError';
}

/**
 * A dtype an op cannot accept, or two inputs whose dtypes disagree.
 * @example
 * ```ts
 * log(input([3], { dtype: 'int32' }));
 * // DTypeError: log 'log': this op needs a float input (float32 or float64), got int32; cast it first
 * ```
 */
export class DTypeError extends StablegradError {
  override name = 'DTypeError';
}

/**
 * A graph that is invalid as a whole: a malformed JSON file (the message starts with the path of
 * the bad field, such as `$.nodes[3].inputs[0]`), an unknown op, a cycle, a wrong arity.
 * @example
 * ```ts
 * fromJSON({ format: 'nope' });
 * // GraphError: $.format: not a stablegrad graph: expected format "stablegrad-graph", found the string "nope"
 * ```
 */
export class GraphError extends StablegradError {
  override name = 'GraphError';
  /** JSON path of the offending field, when the error comes from the loader. */
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.path = path;
  }
}

/**
 * A value fed to `evaluate` is missing, or has the wrong shape or dtype for its input.
 * @example
 * ```ts
 * evaluate(input([2], { name: 'x' }).exp(), {});
 * // FeedError: input 'x' [2] float32 was not fed (the graph's inputs: 'x')
 * ```
 */
export class FeedError extends StablegradError {
  override name = 'FeedError';
}

/**
 * A gradient that cannot be taken: a non-scalar output, an integer input.
 * @example
 * ```ts
 * const x = input([3], { name: 'x' });
 * grad(x.exp(), [x]);
 * // GradError: grad needs a scalar output, but exp 'exp' [3] float32 has shape [3]; reduce it (sum, mean) or use vjp
 * ```
 */
export class GradError extends StablegradError {
  override name = 'GradError';
}

/**
 * A kernel met a value it cannot compute with, e.g. a class label outside `[0, depth)`.
 * @example
 * ```ts
 * const logits = constant([[1, 2, 3]]);
 * const labels = constant(tensor([3], { dtype: 'int32' }));
 * evaluate(sparseSoftmaxCrossEntropyWithLogits(logits, labels));
 * // ValueError: sparseSoftmaxCrossEntropyWithLogits '...' [1] float32: label 3 at position [0] is outside [0, 3) for 3 classes
 * ```
 */
export class ValueError extends StablegradError {
  override name = 'ValueError';
}

/**
 * Text given to `parseExpression` that is not a valid expression: an unknown name, a missing
 * parenthesis, an argument of the wrong kind, nesting too deep, or an op that refuses its
 * inputs. The message names the line and column and ends with the line and a caret under the
 * spot.
 * @example
 * ```ts
 * parseExpression('log(sigmoid(z)', { z: input([3], { name: 'z' }) });
 * // ExpressionError: line 1, column 15: expected ',' or ')' to close the call of log (opened at column 4), found the end of the text
 * //   log(sigmoid(z)
 * //                 ^
 * ```
 */
export class ExpressionError extends StablegradError {
  override name = 'ExpressionError';
  /** 0-based offset of the problem in the text. */
  readonly offset: number;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem within its line. */
  readonly column: number;
  /** The problem alone, without position or snippet. */
  readonly problem: string;
  constructor(problem: string, position: { offset: number; line: number; column: number; snippet: string }, options?: { cause?: unknown }) {
    super(`line ${position.line}, column ${position.column}: ${problem}\n${position.snippet}`, options);
    this.problem = problem;
    this.offset = position.offset;
    this.line = position.line;
    this.column = position.column;
  }
}
