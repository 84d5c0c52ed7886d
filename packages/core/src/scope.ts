/**
 * Name scopes. Everything built inside `scope('dense_1', ...)` carries the path `dense_1`, so
 * errors, printed graphs and pictures point back at the user's layer.
 * @module
 */

const stack: string[] = [];

/**
 * Runs `build` with `name` pushed on the scope path and returns its result.
 * @example
 * ```ts
 * const h = scope('dense_1', () => x.matmul(W).add(b).relu());
 * h.path; // 'dense_1/relu'
 * ```
 */
export function scope<R>(name: string, build: () => R): R {
  const problem = scopeNameProblem(name);
  if (problem !== undefined) throw new TypeError(problem);
  stack.push(name);
  try {
    return build();
  } finally {
    stack.pop();
  }
}

/**
 * Why `name` cannot be a scope name, or undefined when it can: the one rule `scope()` and the
 * graph loader both apply, so a file cannot hold a scope the builder would refuse.
 * @example
 * ```ts
 * scopeNameProblem('dense_1'); // undefined
 * scopeNameProblem('a/b');     // "scope name must be non-empty and contain no '/': \"a/b\""
 * ```
 */
export function scopeNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.includes('/')) return `scope name must be non-empty and contain no '/': ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * The current scope path, outermost first.
 * @example
 * ```ts
 * scope('dense', () => currentScope()); // ['dense']
 * currentScope();                       // []
 * ```
 */
export function currentScope(): readonly string[] {
  return [...stack];
}

/**
 * Runs `build` with the scope path replaced by `path` (used to place gradient nodes).
 * @example
 * ```ts
 * const x = input([2], { name: 'x' });
 * withScopePath(['dense', 'grad'], () => x.exp()).path; // 'dense/grad/exp'
 * ```
 */
export function withScopePath<R>(path: readonly string[], build: () => R): R {
  const saved = stack.slice();
  replaceStack(path);
  try {
    return build();
  } finally {
    replaceStack(saved);
  }
}

// Element by element, not `splice(0, n, ...path)`: a spread passes every name as an argument,
// which overflows the call stack for paths some 100,000 scopes deep.
function replaceStack(path: readonly string[]): void {
  stack.length = path.length;
  for (let i = 0; i < path.length; i++) stack[i] = path[i]!;
}
