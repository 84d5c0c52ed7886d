/**
 * File-system errors in words. Portable (it only reads an error's `code`), so the browser entry
 * can share it with the Node-only file code.
 * @module
 */

/**
 * A Node file-system error in words, without the syscall and path noise.
 * @example
 * ```ts
 * systemReason(Object.assign(new Error('x'), { code: 'EACCES' })); // 'permission denied'
 * ```
 */
export function systemReason(e: unknown, notFound = 'no such file or directory'): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
  switch (code) {
    case 'ENOENT': return notFound;
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EFBIG': return 'the file is larger than the file-size limit';
    case 'EROFS': return 'the file system is read-only';
    default: return e instanceof Error ? e.message : String(e);
  }
}
