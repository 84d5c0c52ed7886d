// docs/lint.md and its pictures must not drift from the code: they are generated again and
// compared with the committed files. A file of its own: Graphviz (wasm) numbers clusters after
// what it rendered before in the same process, and `npm run docs:lint` renders these first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintGuideFiles } from '../examples/src/lint-guide.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('docs/lint.md', () => {
  it('and docs/lint/*.svg are what examples/src/lint-guide.ts writes (npm run docs:lint): the real lint output', async () => {
    const files = await lintGuideFiles();
    for (const [path, text] of files) expect(readFileSync(join(root, path), 'utf8'), path).toBe(text);
    const committed = readdirSync(join(root, 'docs/lint')).map((name) => `docs/lint/${name}`);
    expect(committed.sort()).toEqual([...files.keys()].filter((p) => p.startsWith('docs/lint/')).sort());
  });
});
