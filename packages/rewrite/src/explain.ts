/**
 * `explain(report)`: the rewrite report as text, one block per firing: the rule, its doc, the
 * user's node, and the expression before and after.
 * @module
 */
import type { RewriteReport } from './engine.js';

/**
 * Formats a rewrite report for people.
 * @example
 * ```ts
 * const { report } = stabilize(graph({ loss }));
 * console.log(explain(report));
 * // 1. log-sigmoid at 'loss/log' — log(sigmoid(z)) is logSigmoid(z), finite where ...
 * //      before: log(sigmoid(z))
 * //      after:  logSigmoid(z)
 * //      where:  z = dense_1/add
 * ```
 */
export function explain(report: RewriteReport, options: { phases?: readonly string[] } = {}): string {
  const shown = report.firings.filter((f) => options.phases === undefined || options.phases.includes(f.phase));
  if (shown.length === 0) return 'No rewrites: the graph was left as it was.';
  return shown
    .map((f, i) => {
      const where = Object.entries(f.captures).map(([name, path]) => `${name} = ${path}`).join(', ');
      const lines = [
        `${i + 1}. ${f.rule} at '${f.path}' (${f.phase}) — ${f.doc}`,
        `     before: ${f.before}`,
        `     after:  ${f.after}`,
      ];
      if (where.length > 0) lines.push(`     where:  ${where}`);
      return lines.join('\n');
    })
    .join('\n');
}
