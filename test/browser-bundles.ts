/**
 * Bundling for a browser, as a user's bundler would (rolldown, the bundler inside Vite, with
 * `platform: 'browser'`: the `browser`, `import` and `default` conditions, never `node`), with a
 * plugin that records every Node built-in the bundle would need (`node:fs`, `worker_threads`,
 * `events`, ...) instead of failing on the first. Unresolved imports are failures too.
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { type OutputChunk, rolldown } from 'rolldown';

const BUILTINS = new Set(builtinModules);

/** What a browser bundle of one entry needs and gives. */
export interface BrowserBundle {
  /** Each Node built-in imported, as `specifier <- importing file`. */
  readonly nodeImports: readonly string[];
  /** Warnings and errors of the bundler (an unresolved import, a missing export). */
  readonly problems: readonly string[];
  /** The entry chunk's code. */
  readonly code: string;
}

/** Whether a specifier names a Node built-in (`node:fs`, `fs`, `fs/promises`). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

/**
 * Bundles `specifier` for a browser: a package's entry (re-exported whole) or, given as a path
 * (`./packages/...`), a script that is an entry of its own, such as a Web Worker's (its side
 * effects are the point, so it is not reached through a re-export that `sideEffects: false`
 * would drop). With `outDir`, writes the bundle there as `fileName`.
 */
export async function bundleForBrowser(specifier: string, write?: { readonly outDir: string; readonly fileName: string }): Promise<BrowserBundle> {
  const nodeImports: string[] = [];
  const problems: string[] = [];
  const isScript = specifier.startsWith('./');
  const entry = isScript ? resolve(specifier) : '\0browser-entry';
  const bundle = await rolldown({
    input: entry,
    platform: 'browser',
    logLevel: 'warn',
    onLog: (level, log) => {
      problems.push(`${level}: ${log.code ?? ''} ${log.message}`);
    },
    plugins: [{
      name: 'record-node-builtins',
      resolveId(id, importer) {
        if (id === entry) return isScript ? null : id;
        if (isNodeBuiltin(id)) {
          nodeImports.push(`${id} <- ${importer ?? '?'}`);
          return { id, external: true };
        }
        return null;
      },
      load(id) {
        return id === entry && !isScript ? `export * from ${JSON.stringify(specifier)};` : null;
      },
    }],
  });
  try {
    const options = { format: 'esm' as const, ...(write === undefined ? {} : { dir: write.outDir, entryFileNames: write.fileName, chunkFileNames: '[name]-[hash].js' }) };
    const output = write === undefined ? await bundle.generate(options) : await bundle.write(options);
    const main = output.output.find((o): o is OutputChunk => o.type === 'chunk' && o.isEntry);
    return { nodeImports, problems, code: main?.code ?? '' };
  } finally {
    await bundle.close();
  }
}
