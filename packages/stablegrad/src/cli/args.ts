/**
 * The command line's options, read with `node:util` `parseArgs` and held to a stricter standard:
 * every option must be declared, a string option must have a value (`--out -x` is a missing
 * value, not the value `-x`), an option without `multiple` may be given once, and anything wrong
 * is a `UsageError` (exit status 2) with one line that says what was expected and what was
 * found. Accepts `--name value`, `--name=value`, `-x value`, `-xvalue`, and `--` to end the options.
 * @module
 */
import { parseArgs as parseNodeArgs } from 'node:util';

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
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short }]),
  );
  // Not strict: parseArgs' own errors do not name the option in a form we can quote, so the
  // tokens are checked here, in order, and the first problem is reported.
  const { tokens } = parseNodeArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const shown = token.rawName;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name]! : undefined;
    const isShort = !shown.startsWith('--');
    if (spec === undefined || (isShort && spec.short !== shown.slice(1))) throw new UsageError(`unknown option ${quote(shown)}`);
    if (spec.type === 'boolean') {
      // `-hx` reaches us as the group -h -x: the rest of the argument is a value of -h.
      const inline = isShort ? argv[token.index]!.slice(2) || undefined : token.value;
      if (inline !== undefined) throw new UsageError(`option ${quote(shown)} takes no value, found ${quote(inline)}`);
      flags.add(token.name);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`option ${quote(shown)} needs a value (${spec.value ?? 'a value'})`);
    }
    const list = values.get(token.name) ?? [];
    if (list.length > 0 && spec.multiple !== true) throw new UsageError(`option ${quote(shown)} is given twice`);
    list.push(value);
    values.set(token.name, list);
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
