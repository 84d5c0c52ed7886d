/**
 * The file system in Node: what the package imports as `#file-system` under the `node`
 * condition (package.json `imports`). Its twin for everywhere else, file-system-browser.ts, has
 * the same names and throws a NodeOnlyError from each, so the package's main entry imports no
 * Node built-in and still bundles for a browser.
 * @module
 */
export { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
export { writeFileAtomicSync } from './atomic-write.js';

/** True here: files can be read and written. */
export const hasFileSystem: boolean = true;
