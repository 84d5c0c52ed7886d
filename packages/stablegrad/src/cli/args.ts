/**
 * A small command-line parser, strict by design: every option must be declared, a string option
 * must have a value, and anything wrong is a `UsageError` (exit status 2) with one line that
 * says what was expected and what was found. Accepts `--name value`, `--name=value`, `-x value`,
 * `-xvalue`, and `--` to end the options.
 * @module
 */

/** A declared option: a flag (`boolean`) or an option with a value (`string`). */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  /** One-letter alias, e.g. `o` for `-o`. */
  readonly short?: string;
  /** Placeholder of the value in help texts, e.g. `out.dot|out.svg`. */
  readonly value?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
  /** One line for the help text. */
  readonly help: string;
}

/** Options by long name. */
export type OptionSpecs = { readonly [name: string]: OptionSpec };

/** Parsed arguments: option values by long name, and the positional arguments in order. */
export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

/** The command line was used wrongly: unknown option, missing value, wrong number of arguments. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `argv` against `specs`.
 * @example
 * ```ts
 * parseArgs(['g.json', '-o', 'g.svg'], { out: { type: 'string', short: 'o', help: 'output' } });
 * // { flags: Set {}, values: Map { out: ['g.svg'] }, positionals: ['g.json'] }
 * ```
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short !== undefined) byShort.set(spec.short, name);

  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let shown: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      shown = `--${name}`;
      if (!Object.hasOwn(specs, name)) throw new UsageError(`unknown option ${quote(shown)}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const long = byShort.get(arg[1]!);
      shown = arg.slice(0, 2);
      if (long === undefined) throw new UsageError(`unknown option ${quote(shown)}`);
      name = long;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name]!;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option ${quote(shown)} takes no value, found ${quote(inline)}`);
      flags.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) {
        throw new UsageError(`option ${quote(shown)} needs a value (${spec.value ?? 'a value'})`);
      }
      value = next;
      i++;
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && spec.multiple !== true) throw new UsageError(`option ${quote(shown)} is given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { flags, values, positionals };
}

/** The help lines of some options, aligned: `  -o, --out <file>   what it does`. */
export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : '';
    return [`  ${short}--${name}${value}`, spec.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => left.padEnd(width) + help).join('\n');
}

/** A user-given string as it appears in messages: quoted, with control characters escaped. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** A subcommand: its options, its help text, and what it does. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The usage line after `stablegrad `, e.g. `dot <graph.json> [options]`. */
  readonly usage: string;
  /** Further paragraphs of the help text (what it reads, what it writes, an example). */
  readonly details: string;
  readonly options: OptionSpecs;
  /** Runs the command; returns the text for stdout (or nothing when it wrote a file). */
  readonly run: (args: ParsedArgs) => Promise<string | undefined>;
}

/** The help text of a command. */
export function commandHelp(command: Command): string {
  return [
    `Usage: stablegrad ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    formatOptions(command.options),
    '',
    command.details,
  ].join('\n');
}

/** The one positional argument a command takes, or a UsageError. */
export function onePositional(args: ParsedArgs, command: string, what: string): string {
  const [first, ...rest] = args.positionals;
  if (first === undefined) throw new UsageError(`${command}: missing ${what} (see stablegrad ${command} --help)`);
  if (rest.length > 0) throw new UsageError(`${command}: expected one ${what}, found also ${quote(rest[0]!)}`);
  return first;
}
