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
  if (name.length === 0 || name.includes('/')) {
    throw new TypeError(`scope name must be non-empty and contain no '/': ${JSON.stringify(name)}`);
  }
  stack.push(name);
  try {
    return build();
  } finally {
    stack.pop();
  }
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
  const saved = stack.splice(0, stack.length, ...path);
  try {
    return build();
  } finally {
    stack.splice(0, stack.length, ...saved);
  }
}
