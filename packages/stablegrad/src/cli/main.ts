#!/usr/bin/env node
/**
 * The `stablegrad` command line: dispatches to the commands, prints help and version, and turns
 * every failure into one line on stderr (`stablegrad: <message>`) with exit status 2 for usage
 * errors and 1 for bad input. Stack traces appear only with `STABLEGRAD_DEBUG=1`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { StablegradError } from '@stablegrad/core';
import { type Command, commandHelp, formatOptions, type OptionSpecs, parseArgs, quote, UsageError } from './args.js';
import { dotCommand } from './commands/dot.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { lintCommand } from './commands/lint.js';
import { printCommand } from './commands/print.js';
import { stabilizeCommand } from './commands/stabilize.js';
import { summaryCommand } from './commands/summary.js';
import { InputError } from './io.js';

const COMMANDS: readonly Command[] = [dotCommand, explainCommand, stabilizeCommand, printCommand, summaryCommand, lintCommand, exportCommand];

const TOP_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h', help: 'show this help (stablegrad <command> --help for a command)' },
  version: { type: 'boolean', short: 'v', help: 'print the version' },
};

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return [
    `stablegrad ${version()}: look at stablegrad graphs and at what stabilize does to them.`,
    '',
    'Usage: stablegrad <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    formatOptions(TOP_OPTIONS),
    '',
    'Every command reads a graph file written with toJSON from @stablegrad/core, an .onnx model, or a',
    'model saved with model.save; - reads the JSON of a graph or model from stdin:',
    "  writeFileSync('graph.json', JSON.stringify(toJSON(graph({ loss }))));   model.save('model.json');",
    'Exit status: 0 on success, 1 for bad input (file, JSON, graph), 2 for wrong usage, 3 when lint flags a node.',
  ].join('\n');
}

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

/** Runs the command line; resolves to the text for stdout. Throws UsageError, InputError, ... */
async function run(argv: readonly string[]): Promise<string | undefined> {
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  const top = parseArgs(at < 0 ? argv : argv.slice(0, at), TOP_OPTIONS);
  if (top.flags.has('help')) return topHelp();
  if (top.flags.has('version')) return version();
  if (at < 0) throw new UsageError('missing command: try stablegrad --help');

  const name = argv[at]!;
  const rest = argv.slice(at + 1);
  if (name === 'help') {
    if (rest.length === 0) return topHelp();
    return commandHelp(findCommand(rest[0]!));
  }
  const command = findCommand(name);
  const args = withCommand(command, () => parseArgs(rest, command.options));
  if (args.flags.has('help')) return commandHelp(command);
  return command.run(args);
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw new UsageError(`unknown command ${quote(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  }
  return command;
}

// Usage errors of a command name it and point at its help.
function withCommand<T>(command: Command, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${command.name}: ${e.message} (see stablegrad ${command.name} --help)`);
    throw e;
  }
}

function exitStatus(e: unknown): number {
  return e instanceof UsageError ? 2 : 1;
}

function messageOf(e: unknown): string {
  if (e instanceof UsageError || e instanceof InputError || e instanceof StablegradError) return e.message;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return `internal error: ${text} (run with STABLEGRAD_DEBUG=1 for the stack trace)`;
}

// One line, always: messages that quote expressions may contain newlines.
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

// A closed pipe (`stablegrad dot g.json | head`) is not an error; any other write error is one line.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  process.stderr.write(`stablegrad: cannot write the output: ${oneLine(e.message)}\n`);
  process.exit(1);
});

try {
  const text = await run(process.argv.slice(2));
  if (text !== undefined) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
} catch (e) {
  if (process.env['STABLEGRAD_DEBUG'] === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
  process.stderr.write(`stablegrad: ${oneLine(messageOf(e))}\n`);
  process.exitCode = exitStatus(e);
}
