/**
 * `@stablegrad/compile`: the compiled backend.
 * @module
 */
export {};
