/**
 * Command-line options of the benchmark, read with `node:util` `parseArgs`.
 * @module
 */
import { parseArgs } from 'node:util';

/**
 * What to run and how long.
 * @example
 * ```ts
 * parseOptions(['--quick', '--only', 'W1,W3']).only; // Set { 'W1', 'W3' }
 * ```
 */
export interface Options {
  /** Few repetitions, short budgets: a smoke run. */
  readonly quick: boolean;
  /** JSON lines on stdout instead of tables. */
  readonly json: boolean;
  /** Record the first and last loss of the first steps of every system and print them. */
  readonly check: boolean;
  /** Workload ids to run (W1..W4, G1, L1); all when undefined. */
  readonly only: ReadonlySet<string> | undefined;
  /** System names to run; all when undefined. */
  readonly systems: ReadonlySet<string> | undefined;
  /** Most timed samples per workload and system. */
  readonly reps: number;
  /** Stop sampling a system once its timed samples add up to this (at least 3 samples). */
  readonly budgetMs: number;
  /** Warm-up: at least this long (and at least 2 steps, `checkSteps` with `--check`). */
  readonly warmupMs: number;
  /** Target length of one timed sample; fast steps are repeated within a sample. */
  readonly sampleMs: number;
  /** Steps recorded by the loss check (the least number of warm-up steps with `--check`). */
  readonly checkSteps: number;
  /** Repetitions of each G1 depth (median kept). */
  readonly graphScaleReps: number;
}

/**
 * The usage text.
 * @example
 * ```ts
 * console.log(USAGE);
 * ```
 */
export const USAGE = `usage: node bench/dist/main.js [options]
  --quick            smoke run: 3 samples, short budgets, G1 up to 100 layers and 4,000 terms
  --only W1,W3,G1    workloads to run (W1 W2 W3 W4 G1; default all)
  --systems a,b      systems to run (stablegrad-compiled ... jax-js torch-1t torch-2t; default all)
  --reps N           most timed samples per workload and system (default 30)
  --budget S         seconds of timed samples per workload and system (default 5)
  --check            print the first and last loss of each system's first steps
  --json             JSON lines on stdout instead of tables
  --help             this text`;

// The options parseArgs knows; USAGE describes them.
const OPTIONS = {
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  help: { type: 'boolean' },
  only: { type: 'string' },
  systems: { type: 'string' },
  reps: { type: 'string' },
  budget: { type: 'string' },
} as const;

/**
 * Parses argv (without node and the script).
 * @example
 * ```ts
 * parseOptions(['--reps', '5']).reps; // 5
 * ```
 */
export function parseOptions(argv: readonly string[]): Options {
  const { values, tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  // Not strict, so that a bad argument is named as it was written, followed by the usage.
  for (const token of tokens) {
    const arg = argv[token.index]!;
    const spec = token.kind === 'option' && arg.startsWith('--') && Object.hasOwn(OPTIONS, token.name) ? OPTIONS[token.name as keyof typeof OPTIONS] : undefined;
    if (token.kind !== 'option' || spec === undefined || (spec.type === 'boolean' && token.value !== undefined)) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
    if (spec.type === 'string' && token.value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
  }
  const quick = values.quick === true;
  const list = (value: string | boolean | undefined): ReadonlySet<string> | undefined =>
    typeof value !== 'string' ? undefined : new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const positive = (name: 'reps' | 'budget', fallback: number): number => {
    const value = values[name];
    if (typeof value !== 'string') return fallback;
    const n = Number(value);
    if (!(n > 0)) throw new Error(`--${name} expects a positive number, got '${value}'`);
    return n;
  };
  return {
    quick,
    json: values.json === true,
    check: values.check === true,
    only: list(values.only),
    systems: list(values.systems),
    reps: Math.round(positive('reps', quick ? 3 : 30)),
    budgetMs: 1000 * positive('budget', quick ? 0.5 : 5),
    warmupMs: quick ? 100 : 400,
    sampleMs: quick ? 20 : 50,
    checkSteps: quick ? 5 : 10,
    graphScaleReps: quick ? 1 : 3,
  };
}

/**
 * True when `--help` was given.
 * @example
 * ```ts
 * wantsHelp(['--help']); // true
 * ```
 */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
