/**
 * The examples' one command-line option: `--epochs N` (or an environment variable), read with
 * `node:util` `parseArgs`.
 * @module
 */
import { parseArgs } from 'node:util';

/**
 * The epoch count from `--epochs N` / `--epochs=N`, else `fromEnv`, else `fallback`. Anything
 * else on the command line is a usage error (exit code 2).
 * @example
 * ```ts
 * const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 30, 'digits');
 * ```
 */
export function parseEpochs(args: readonly string[], fromEnv: string | undefined, fallback: number, program: string): number {
  const usage = `(usage: ${program} [--epochs N])`;
  const { values, tokens } = parseArgs({ args: [...args], options: { epochs: { type: 'string' } }, strict: false, allowPositionals: true, tokens: true });
  // Not strict, so that a wrong argument is quoted as it was written.
  for (const token of tokens) {
    const arg = args[token.index]!;
    if (token.kind !== 'option' || token.name !== 'epochs' || !arg.startsWith('--')) fail(`unknown argument ${JSON.stringify(arg)} ${usage}`);
    if (token.value === undefined) fail(`--epochs needs a value ${usage}`);
  }
  const text = typeof values.epochs === 'string' ? values.epochs : fromEnv;
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) fail(`--epochs must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
