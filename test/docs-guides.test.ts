// The guides in docs/ must not drift from the code: the generated parts (the rule catalogue, the
// table of why-from-logits.md, the gallery's pictures) are generated again and compared with the
// committed files, the getting-started snippet is shown verbatim with what it really prints, and
// every relative link of the guides and the README points at a file that exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { galleryFiles } from '../examples/src/gallery.js';
import { ruleCatalogue } from '../examples/src/rule-catalogue.js';
import { MARKERS, whyFromLogitsTable, withTable } from '../examples/src/why-from-logits.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('docs/rules.md', () => {
  it('is the catalogue generated from the rules (npm run docs:rules)', () => {
    expect(read('docs/rules.md')).toBe(ruleCatalogue());
  });
});

describe('docs/why-from-logits.md', () => {
  it('shows the current output of examples/src/why-from-logits.ts (npm run docs:why)', () => {
    const guide = read('docs/why-from-logits.md');
    expect(guide).toContain(MARKERS[0]);
    expect(withTable(guide, whyFromLogitsTable())).toBe(guide);
  });
});

describe('docs/gallery.md', () => {
  it('and docs/gallery/*.svg are what examples/src/gallery.ts renders (npm run docs:gallery)', async () => {
    const files = await galleryFiles();
    for (const [path, text] of files) expect(read(path), path).toBe(text);
    const committed = readdirSync(join(root, 'docs/gallery')).map((name) => `docs/gallery/${name}`);
    expect(committed.sort()).toEqual([...files.keys()].filter((p) => p.startsWith('docs/gallery/')).sort());
  });
});

describe('docs/getting-started.md', () => {
  const guide = read('docs/getting-started.md');
  it('shows examples/src/getting-started.ts verbatim', () => {
    expect(guide).toContain(`\`\`\`ts\n${read('examples/src/getting-started.ts')}\`\`\`\n`);
  });
  it('shows what the snippet prints', () => {
    const run = spawnSync(process.execPath, [join(root, 'examples/dist/getting-started.js')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(guide).toContain(`\`\`\`text\n${run.stdout}\`\`\`\n`);
  });
});

describe('docs/training.md', () => {
  const guide = read('docs/training.md');
  it('shows examples/src/training-loop.ts verbatim', () => {
    expect(guide).toContain(`\`\`\`ts\n${read('examples/src/training-loop.ts')}\`\`\`\n`);
  });
  it('shows what it prints: the loop by hand, trainOnBatch and fit give the same weights', () => {
    const run = spawnSync(process.execPath, [join(root, 'examples/dist/training-loop.js')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('trainOnBatch, same weights as by hand: true\nfit, same weights as by hand: true\n');
    expect(guide).toContain(`\`\`\`text\n${run.stdout}\`\`\`\n`);
  });
});

describe('links', () => {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
  it.each(pages)('every relative link of %s points at an existing file', (page) => {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
      .filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith('#'))
      .map((t) => t.split('#')[0]!);
    for (const target of targets) {
      expect(existsSync(join(root, dirname(page), target)), `${page} links to ${target}`).toBe(true);
    }
  });
});
