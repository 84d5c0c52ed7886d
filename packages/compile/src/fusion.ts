/**
 * Elementwise fusion: a chain (a tree) of elementwise ops becomes one loop over the output,
 * generated as JavaScript. The loop calls each op's own scalar function (`elementwise.scalar`,
 * the function its kernel is made from) and rounds every intermediate to float32 where the op's
 * output is float32, so a fused loop gives the interpreter's bits while reading and writing
 * memory once.
 *
 * Generated code is built only from variable names we make (`v3`, `l0`, `f1`), registered op
 * names in comments, and integer indices: no user string (node names, file contents) reaches it.
 * @module
 */
import { type ConcreteShape, hasTrait, type Node, opDef, type TypedArray } from '@stablegrad/core';

/**
 * How a loop reads one of its inputs, given its shape against the output's:
 * every element (`full`), one value (`scalar`), a trailing block repeated
 * (`suffix`: a bias `[n]` against `[m, n]`, index `i % size`), or a leading block held for
 * `inner` elements (`outer`: `[m, 1]` against `[m, n]`, index `i / inner`).
 * @example
 * ```ts
 * readMode([25], [32, 25]); // { kind: 'suffix', size: 25 }
 * ```
 */
export type ReadMode =
  | { readonly kind: 'full' }
  | { readonly kind: 'scalar' }
  | { readonly kind: 'suffix'; readonly size: number }
  | { readonly kind: 'outer'; readonly inner: number };

/**
 * The read mode of an input of shape `shape` broadcast to `out`, or null when the broadcast is
 * of another kind (then the op runs unfused).
 * @example
 * ```ts
 * readMode([32, 1], [32, 10]); // { kind: 'outer', inner: 10 }
 * ```
 */
export function readMode(shape: ConcreteShape, out: ConcreteShape): ReadMode | null {
  const size = shape.reduce((a, b) => a * b, 1);
  const outSize = out.reduce((a, b) => a * b, 1);
  if (size === outSize) return { kind: 'full' };
  if (size === 1) return { kind: 'scalar' };
  const dims = stripLeadingOnes(shape);
  const r = out.length - dims.length;
  if (r < 0) return null;
  const tail = out.slice(r);
  if (dims.every((d, i) => d === tail[i])) return { kind: 'suffix', size };
  // [a, b, 1, 1] against [a, b, c, d]: a leading block of the output's shape, then ones.
  const padded = [...new Array<number>(r).fill(1), ...dims];
  let split = padded.length;
  while (split > 0 && padded[split - 1] === 1) split--;
  if (padded.slice(0, split).every((d, i) => d === out[i])) return { kind: 'outer', inner: outSize / size };
  return null;
}

function stripLeadingOnes(shape: ConcreteShape): number[] {
  let i = 0;
  while (i < shape.length - 1 && shape[i] === 1) i++;
  return shape.slice(i);
}

/**
 * True when `node` can be part of a fused loop: an elementwise op whose inputs are floats
 * (a `where`'s condition may be int32) and whose output is a float, or a comparison of floats
 * (its int32 0/1 is exact).
 * @example
 * ```ts
 * isFusible(relu(z)); // true
 * ```
 */
export function isFusible(node: Node): boolean {
  const def = opDef(node.op);
  if (def.elementwise === undefined) return false;
  const floatInputs = node.inputs.every((input, i) => input.dtype !== 'int32' || (node.op === 'where' && i === 0));
  return floatInputs && (node.dtype !== 'int32' || hasTrait(node.op, 'comparison'));
}

/**
 * A fused loop: its member nodes (inputs first, the root last), its leaves (values read from
 * memory) with their read modes, and the generated function.
 * @example
 * ```ts
 * group.run(out, leafArrays, size);
 * ```
 */
export interface FusedLoop {
  readonly root: Node;
  readonly members: readonly Node[];
  readonly leaves: readonly Node[];
  readonly modes: readonly ReadMode[];
  /** The loop: `run(out, leaves, n)` writes n outputs. */
  readonly run: (out: TypedArray, leaves: readonly TypedArray[], n: number) => void;
  /** The generated source, for tests and curious readers. */
  readonly source: string;
}

const generated = new Map<string, (...args: unknown[]) => void>();

/**
 * Generates the loop of a fused group (the groups are formed by the fuse pass, passes/fuse.ts).
 * `members` are in topological order with the root last; `leaves` are the values they read from
 * memory, with their read modes. Each member's output dtype is its node's.
 * @example
 * ```ts
 * const loop = fuseLoop(root, members, leaves, modes);
 * ```
 */
export function fuseLoop(root: Node, members: readonly Node[], leaves: readonly Node[], modes: readonly ReadMode[]): FusedLoop {
  const names = new Map<Node, string>();
  const scalars: ((...args: number[]) => number)[] = [];
  const head: string[] = [];
  const body: string[] = [];
  leaves.forEach((leaf, i) => {
    const mode = modes[i]!;
    const name = `l${i}`;
    names.set(leaf, name);
    if (mode.kind === 'scalar') head.push(`const ${name} = a${i}[0];`);
    else if (mode.kind === 'full') body.push(`const ${name} = a${i}[i];`);
    else if (mode.kind === 'suffix') body.push(`const ${name} = a${i}[i % p${i}];`);
    else body.push(`const ${name} = a${i}[(i / p${i}) | 0];`);
  });
  members.forEach((member, m) => {
    const { scalar } = opDef(member.op).elementwise!;
    const args = member.inputs.map((input) => names.get(input)!);
    // Each op's scalar function is called from a constant of the loop (hoisted below), so the
    // call site sees one function and the JIT inlines it. The op name is part of the source so
    // that loops of other ops are other functions (their call sites never mix targets).
    let at = scalars.indexOf(scalar);
    if (at < 0) {
      at = scalars.push(scalar) - 1;
      head.push(`const f${at} = f[${at}]; // ${member.op}`);
    }
    let expression = `f${at}(${args.join(', ')})`;
    // float32 outputs are rounded after every op, as the interpreter stores each op's result.
    if (member.dtype === 'float32') expression = `Math.fround(${expression})`;
    const name = `v${m}`;
    names.set(member, name);
    body.push(`const ${name} = ${expression};`);
  });
  body.push(`out[i] = ${names.get(root)!};`);
  const params = leaves.map((_, i) => `a${i}, p${i}`).join(', ');
  const source = [`return function fused(f, out, n${params === '' ? '' : `, ${params}`}) {`, ...head.map((l) => `  ${l}`),
    '  for (let i = 0; i < n; i++) {', ...body.map((l) => `    ${l}`), '  }', '};'].join('\n');
  let make = generated.get(source);
  if (make === undefined) {
    // Built from our own names, op names and integers only (see the module doc).
    make = new Function(source)() as (...args: unknown[]) => void;
    generated.set(source, make);
  }
  const loop = make;
  const extras = modes.map((mode) => (mode.kind === 'suffix' ? mode.size : mode.kind === 'outer' ? mode.inner : 0));
  // One argument array, refilled on each call: a training step allocates nothing here.
  const args: unknown[] = [scalars, null, 0, ...extras.flatMap((extra) => [null, extra])];
  const run = (out: TypedArray, arrays: readonly TypedArray[], n: number): void => {
    args[1] = out;
    args[2] = n;
    for (let i = 0; i < arrays.length; i++) args[3 + 2 * i] = arrays[i];
    loop(...args);
  };
  return { root, members, leaves, modes, run, source };
}
