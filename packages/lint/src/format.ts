/**
 * The lint's report for people (a text table) and for programs (plain JSON, nodes named by
 * their scope paths).
 * @module
 */
import type { RewriteReport } from '@stablegrad/rewrite';
import type { LintReport, NodeLint, WorstCase } from './report.js';

/**
 * Options of `formatLint`.
 * @example
 * ```ts
 * formatLint(report, { all: true });
 * ```
 */
export interface FormatLintOptions {
  /** List every measured node, not only the flagged ones and the outputs. */
  readonly all?: boolean;
  /** Print the wall time (default true; off for output that must not change between runs). */
  readonly timing?: boolean;
}

/**
 * The report as a text table: a summary line, the flagged nodes worst first (local and total
 * error, where, what stabilize does), and the outputs' error; with `all`, every node.
 * @example
 * ```ts
 * console.log(formatLint(lint({ loss }, { ranges: { y: [0, 1] } })));
 * // lint: 300 samples (seed 1), 3 of 10 nodes flagged (mean local error >= 4 bits, or half the bits lost in >= 1% of elements), 412 ms
 * //
 * //    node  op   local bits mean/max  total bits mean/max  half lost  where     stabilize
 * // !  sub   sub  2.7 / 61.9           2.9 / 61.9           3.3%       z > 22.2  fixes it
 * ```
 */
export function formatLint(report: LintReport, options: FormatLintOptions = {}): string {
  checkReport(report, 'formatLint');
  const rows = options.all === true ? report.nodes : [...report.flagged, ...report.outputs.filter((o) => !o.flagged)];
  const lines = [summaryLine(report, options.timing ?? true)];
  if (rows.length > 0) lines.push('', ...table(rows));
  const s = report.stabilized;
  if (s !== undefined) {
    const fired = stabilizeRules(s.report);
    const outputs = s.lint.outputs.map((o) => `${o.node.path} ${bits(o.total.mean)}/${bits(o.total.max)}`).join(', ');
    lines.push(
      '',
      `stabilize: ${fired.length === 0 ? 'no stabilize rule applies' : `rules ${fired.join(', ')}`}; ` +
        `${s.clean ? 'the result is clean' : `${s.lint.flagged.length} node(s) still flagged: ${s.lint.flagged.map((n) => n.node.path).join(', ')}`}` +
        (outputs === '' ? '' : ` (outputs' total error mean/max bits: ${outputs})`),
    );
  }
  return lines.join('\n');
}

/** The rules of the stabilize phase that fired (the others only respell). */
function stabilizeRules(report: RewriteReport): string[] {
  return [...new Set(report.firings.filter((f) => f.phase === 'stabilize').map((f) => f.rule))];
}

/** A TypeError unless `report` looks like what `lint` returns. */
export function checkReport(report: unknown, what: string): asserts report is LintReport {
  const r = report as Partial<LintReport> | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.nodes) || !Array.isArray(r.flagged) || r.graph === undefined) {
    throw new TypeError(`${what}: expected the report lint() returns, got ${r === null ? 'null' : typeof r}`);
  }
}

function summaryLine(r: LintReport, timing: boolean): string {
  const stopped = r.stoppedBy === 'time' ? 'stopped by the time limit' : r.stoppedBy === 'rejections' ? 'stopped: too many samples left out' : '';
  const extra = [r.rejected > 0 ? `${r.rejected} samples left out: an output's true value is not a number there` : '', stopped]
    .filter((t) => t !== '').join(', ');
  return `lint: ${r.samples} samples (seed ${r.seed}${extra === '' ? '' : `; ${extra}`}), ${r.flagged.length} of ${r.nodes.length} nodes flagged ` +
    `(mean local error >= ${r.threshold} bits, or half the bits lost in >= 1% of elements)${timing ? `, ${r.elapsedMs} ms` : ''}`;
}

function table(rows: readonly NodeLint[]): string[] {
  const header = ['', 'node', 'op', 'local bits mean/max', 'total bits mean/max', 'half lost', 'where', 'stabilize'];
  const body = rows.map((n) => [
    n.flagged ? '!' : '',
    n.node.path,
    n.node.op,
    `${bits(n.local.mean)} / ${bits(n.local.max)}`,
    `${bits(n.total.mean)} / ${bits(n.total.max)}`,
    `${(100 * n.lostHalfShare).toFixed(1)}%`,
    n.region?.condition ?? (n.flagged ? 'no single-input condition' : ''),
    n.stabilize === undefined ? '' : VERDICT_TEXT[n.stabilize],
  ]);
  // Overflows are rare and not flagged: their column appears only when there are some.
  if (rows.some((n) => n.overflowShare > 0)) {
    header.splice(6, 0, 'overflow');
    body.forEach((cells, i) => cells.splice(6, 0, `${(100 * rows[i]!.overflowShare).toFixed(1)}%`));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...body.map(line)];
}

const VERDICT_TEXT = { fixed: 'fixes it', improved: 'rewrites it (others remain)', unchanged: 'no rule applies' } as const;

function bits(x: number): string {
  return x.toFixed(1);
}

/**
 * The report as plain JSON data (nodes by scope path), for CI tools and dashboards.
 * @example
 * ```ts
 * writeFileSync('lint.json', JSON.stringify(lintToJSON(report), null, 2));
 * ```
 */
export function lintToJSON(report: LintReport): LintJSON {
  checkReport(report, 'lintToJSON');
  const ids = new Map(report.graph.nodes.map((n, i) => [n, i]));
  const node = (n: NodeLint, index = ids.get(n.node) ?? -1): NodeLintJSON => ({
    id: index,
    path: n.node.path,
    op: n.node.op,
    dtype: n.node.dtype,
    local: n.local,
    total: n.total,
    badShare: n.badShare,
    lostHalfShare: n.lostHalfShare,
    overflowShare: n.overflowShare,
    flagged: n.flagged,
    ...(n.region === undefined ? {} : { region: { ...n.region } }),
    ...(n.worst === undefined ? {} : { worst: worstJSON(n.worst) }),
    ...(n.stabilize === undefined ? {} : { stabilize: n.stabilize }),
  });
  const s = report.stabilized;
  return {
    samples: report.samples,
    rejected: report.rejected,
    decimalSamples: report.decimalSamples,
    stoppedBy: report.stoppedBy,
    seed: report.seed,
    threshold: report.threshold,
    elapsedMs: report.elapsedMs,
    flagged: report.flagged.map((n) => n.node.path),
    nodes: report.nodes.map(node),
    outputs: report.outputs.map((n) => n.node.path),
    ...(s === undefined ? {} : {
      stabilized: {
        clean: s.clean,
        rules: stabilizeRules(s.report),
        flagged: s.lint.flagged.map((n) => n.node.path),
        nodes: s.lint.nodes.map((n) => node(n, s.graph.nodes.indexOf(n.node))),
      },
    }),
  };
}

function worstJSON(w: WorstCase): NonNullable<NodeLintJSON['worst']> {
  const at = Object.fromEntries(Object.entries(w.at).map(([k, v]) => [k, jsonNumber(v)]));
  return { bits: w.bits, computed: jsonNumber(w.computed), exact: jsonNumber(w.exact), at };
}

// JSON has no Infinity or NaN: they are written as strings.
function jsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/**
 * One node in `lintToJSON`'s output.
 * @example
 * ```ts
 * const worst: NodeLintJSON = lintToJSON(report).nodes.find((n) => n.flagged)!;
 * ```
 */
export interface NodeLintJSON {
  /** The node's position in the linted graph's `nodes` (paths need not be unique). */
  readonly id: number;
  readonly path: string;
  readonly op: string;
  readonly dtype: string;
  readonly local: { readonly mean: number; readonly max: number };
  readonly total: { readonly mean: number; readonly max: number };
  readonly badShare: number;
  readonly lostHalfShare: number;
  readonly overflowShare: number;
  readonly flagged: boolean;
  readonly region?: { readonly condition: string; readonly recall: number; readonly precision: number; readonly bits: number };
  readonly worst?: { readonly bits: number; readonly computed: number | string; readonly exact: number | string; readonly at: { readonly [name: string]: number | string } };
  readonly stabilize?: string;
}

/**
 * `lintToJSON`'s output.
 * @example
 * ```ts
 * const json: LintJSON = lintToJSON(report);
 * if (json.flagged.length > 0) process.exitCode = 3;
 * ```
 */
export interface LintJSON {
  readonly samples: number;
  readonly rejected: number;
  /** Samples measured with the decimal reference (double-double could not be trusted there). */
  readonly decimalSamples: number;
  readonly stoppedBy: string;
  readonly seed: number;
  readonly threshold: number;
  readonly elapsedMs: number;
  /** Paths of the flagged nodes, worst first. */
  readonly flagged: readonly string[];
  readonly nodes: readonly NodeLintJSON[];
  readonly outputs: readonly string[];
  readonly stabilized?: { readonly clean: boolean; readonly rules: readonly string[]; readonly flagged: readonly string[]; readonly nodes: readonly NodeLintJSON[] };
}
