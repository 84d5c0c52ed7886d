/**
 * `#file-system` where there is no Node (a browser page, a Web Worker): the names of
 * file-system-node.ts, each throwing a NodeOnlyError that says what to use in a page instead.
 * @module
 */
import { NodeOnlyError } from './errors.js';
import type * as NodeFileSystem from './file-system-node.js';

const LOAD_INSTEAD = 'in a page, load models with loadModelFromString, loadModelFromBlob or loadModelFromUrl';
const SAVE_INSTEAD = 'in a page, save with saveModelToString or saveModelToBlob';

function noFileSystem(what: string, instead: string): never {
  throw new NodeOnlyError(`${what} needs Node's file system (node:fs), which this environment lacks; ${instead}`);
}

/** False here: no file can be read or written. */
export const hasFileSystem: boolean = false;

/** Throws a NodeOnlyError: there are no files to read. */
export const readFileSync: typeof NodeFileSystem.readFileSync = (path: unknown) => noFileSystem(`reading ${String(path)}`, LOAD_INSTEAD);
/** Throws a NodeOnlyError: there are no files to read. */
export const statSync: typeof NodeFileSystem.statSync = (path: unknown) => noFileSystem(`reading ${String(path)}`, LOAD_INSTEAD);
/** Throws a NodeOnlyError: there are no files to write. */
export const writeFileSync: typeof NodeFileSystem.writeFileSync = (path: unknown) => noFileSystem(`writing ${String(path)}`, 'in a page, keep the text in memory');
/** Throws a NodeOnlyError: there are no files to write. */
export const appendFileSync: typeof NodeFileSystem.appendFileSync = (path: unknown) => noFileSystem(`writing ${String(path)}`, 'in a page, keep the text in memory');
/** Throws a NodeOnlyError naming `what` (`save`, `modelCheckpoint`) and the file. */
export const writeFileAtomicSync: typeof NodeFileSystem.writeFileAtomicSync = (file, _data, what = 'write') => noFileSystem(`${what}: writing ${file}`, SAVE_INSTEAD);
