#!/usr/bin/env node
// The `stablegrad` bin: loads the built command line, dist/cli/main.js. The bin is this
// committed file, not dist/cli/main.js itself, because npm links a bin into node_modules/.bin
// at install time only if its file exists then, and dist/ exists only after `tsc -b`.
const main = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(main.href);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || e.url !== main.href) throw e;
  process.stderr.write('stablegrad: the command line is not built yet: run `npm run build` (tsc -b) first\n');
  process.exitCode = 1;
}
