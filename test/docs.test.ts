// The API site must build cleanly: this runs typedoc with the repository's typedoc.json (the
// same configuration as `npm run docs`, which treats warnings as errors) and fails on any
// warning or error: an undocumented export, an export without an `@example`
// (scripts/typedoc-require-example.mjs), a broken `{@link}` or guide link, a type referenced but
// not exported.
// The site is written to a temporary directory, not to docs/api/.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel } from 'typedoc';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Keeps every warning and error, to show them all when the test fails. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

it('typedoc builds the API site of every package with no warning', async () => {
  const out = mkdtempSync(join(tmpdir(), 'stablegrad-api-'));
  try {
    const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), out, logLevel: 'Warn' });
    expect(app.logger.warningCount + app.logger.errorCount, 'warnings while reading typedoc.json').toBe(0);
    const logger = new CollectingLogger();
    logger.level = LogLevel.Warn;
    app.logger = logger;
    const project = await app.convert();
    expect(project, logger.messages.join('\n')).toBeDefined();
    app.validate(project!);
    await app.generateOutputs(project!);
    expect(logger.messages).toEqual([]);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    for (const name of ['core', 'rewrite', 'testing', 'dot']) {
      expect(existsSync(join(out, 'modules', `_stablegrad_${name}.html`)), `page of @stablegrad/${name}`).toBe(true);
    }
    // The guides are pages of the site too (typedoc.json `projectDocuments`).
    for (const name of ['getting-started', 'why-from-logits', 'rules', 'gallery', 'accuracy']) {
      expect(existsSync(join(out, 'documents', `${name}.html`)), `page of docs/${name}.md`).toBe(true);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
