/**
 * The examples' one command-line option: `--epochs N` (or an environment variable).
 * @module
 */

/**
 * The epoch count from `--epochs N` / `--epochs=N`, else `fromEnv`, else `fallback`. Anything
 * else on the command line is a usage error (exit code 2).
 * @example
 * ```ts
 * const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 30, 'digits');
 * ```
 */
export function parseEpochs(args: readonly string[], fromEnv: string | undefined, fallback: number, program: string): number {
  let text = fromEnv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--epochs') {
      text = args[++i];
      if (text === undefined) fail(`--epochs needs a value (usage: ${program} [--epochs N])`);
    }
    else if (arg.startsWith('--epochs=')) text = arg.slice('--epochs='.length);
    else fail(`unknown argument ${JSON.stringify(arg)} (usage: ${program} [--epochs N])`);
  }
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) fail(`--epochs must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
