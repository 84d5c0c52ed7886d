/**
 * Where the examples put their pictures: `out/<example>/<name>.dot` and `.svg` at the root of
 * the repository (git-ignored). SVG comes from the DOT text through wasm Graphviz, offline.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '@stablegrad/dot';

/** The repository's `out/` directory. */
export const OUT_DIR = fileURLToPath(new URL('../../out/', import.meta.url));

/**
 * Writes one picture as DOT and SVG under `out/<example>/` and returns the two paths, relative
 * to the current directory (for printing).
 * @example
 * ```ts
 * const files = await writePicture('digits', 'training-graph', toDot(model.toGraph({ stage: 'compiled' })));
 * console.log(`wrote ${files.join(' and ')}`);
 * ```
 */
export async function writePicture(example: string, name: string, dot: string, outDir = OUT_DIR): Promise<[string, string]> {
  const dir = join(outDir, example);
  mkdirSync(dir, { recursive: true });
  const dotFile = join(dir, `${name}.dot`);
  const svgFile = join(dir, `${name}.svg`);
  writeFileSync(dotFile, dot);
  writeFileSync(svgFile, await renderSvg(dot));
  return [relative(process.cwd(), dotFile), relative(process.cwd(), svgFile)];
}
