/**
 * The lint's own error type.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Bad lint options, or a graph the lint cannot sample (no sample in its domain).
 * @example
 * ```ts
 * lint(loss, { samples: 0 }); // LintError: lint: samples must be a whole number >= 1, got 0
 * ```
 */
export class LintError extends StablegradError {
  override name = 'LintError';
}
