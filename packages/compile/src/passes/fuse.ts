/**
 * Pass 3, fuse: trees of elementwise nodes become fused loops (fusion.ts generates them). A node
 * is inlined into its reader's loop when it is elementwise, not an output, read once, and of the
 * reader's size; a loop holds at most MAX_FUSED_MEMBERS nodes; a group whose broadcast no read
 * mode covers runs node by node instead.
 * @module
 */
import { type Node, sizeOf } from '@stablegrad/core';
import { type FusedLoop, fuseLoop, isFusible, readMode, type ReadMode } from '../fusion.js';
import type { Schedule } from './schedule.js';

/** Most nodes one generated fused loop may hold; larger groups are split. */
export const MAX_FUSED_MEMBERS = 128;

/**
 * The fused loops by the position of their root (where they run), and the members inlined into
 * them (which run nowhere on their own).
 * @example
 * ```ts
 * const { loops, inlined } = fuseElementwise(s);
 * loops.get(s.at(root))?.members.length; // the ops that loop computes
 * ```
 */
export interface Fusion {
  readonly loops: ReadonlyMap<number, FusedLoop>;
  readonly inlined: ReadonlySet<number>;
}

/**
 * Forms the fused loops of a schedule.
 * @example
 * ```ts
 * fuseElementwise(schedule(nodes, [x.mul(2).exp()], types, dims)).loops.size; // 1
 * ```
 */
export function fuseElementwise(s: Schedule): Fusion {
  const fusible = s.nodes.map((n, i) => !s.isSource(i) && isFusible(n));
  const inlined = new Set<number>();
  s.nodes.forEach((_, i) => {
    const reads = s.users[i]!;
    if (!fusible[i] || s.isOutput.has(i) || reads.length !== 1) return;
    const user = reads[0]!;
    if (fusible[user] && sizeOf(s.shapes[i]!) === sizeOf(s.shapes[user]!)) inlined.add(i);
  });
  splitLargeGroups(s, fusible, inlined);
  // A loop runs at each root; a group whose broadcast is not supported runs op by op (its
  // members are no longer inlined), each as a loop of one where its own reads allow.
  const loops = new Map<number, FusedLoop>();
  const isRoot = (i: number) => fusible[i] && !inlined.has(i) && !loops.has(i);
  s.nodes.forEach((_, i) => {
    if (!isRoot(i)) return;
    const loop = buildLoop(s, inlined, i);
    if (loop !== null) loops.set(i, loop);
  });
  s.nodes.forEach((_, i) => {
    if (isRoot(i)) uninline(s, inlined, i);
  });
  s.nodes.forEach((_, i) => {
    if (!isRoot(i)) return;
    const single = buildLoop(s, inlined, i);
    if (single !== null) loops.set(i, single);
  });
  return { loops, inlined };
}

// A chain of a million elementwise ops becomes loops of MAX_FUSED_MEMBERS, not one generated
// function of a million statements. Members form a tree under their root (each inlined node has
// one reader), so a node's group size is itself plus its inlined inputs' sizes; where that
// passes the limit, the inputs become roots of their own loops.
function splitLargeGroups(s: Schedule, fusible: readonly boolean[], inlined: Set<number>): void {
  const groupSize = new Array<number>(s.nodes.length).fill(1);
  s.nodes.forEach((n, i) => {
    if (!fusible[i]) return;
    let members = 1;
    for (const input of n.inputs) {
      const j = s.at(input);
      if (inlined.has(j)) members += groupSize[j]!;
    }
    if (members > MAX_FUSED_MEMBERS) {
      for (const input of n.inputs) inlined.delete(s.at(input));
      members = 1;
    }
    groupSize[i] = members;
  });
}

/** The fused loop rooted at `root`: members are the inlined nodes under it, in order; null when a leaf has no read mode. */
function buildLoop(s: Schedule, inlined: ReadonlySet<number>, root: number): FusedLoop | null {
  const members: number[] = [];
  const leaves: number[] = [];
  const visit = (i: number) => {
    for (const input of s.nodes[i]!.inputs) {
      const j = s.at(input);
      if (inlined.has(j)) {
        if (!members.includes(j)) visit(j);
      } else if (!leaves.includes(j)) leaves.push(j);
    }
    members.push(i);
  };
  visit(root);
  const out = s.shapes[root]!;
  const modes: ReadMode[] = [];
  for (const leaf of leaves) {
    const mode = readMode(s.shapes[leaf]!, out);
    if (mode === null) return null;
    modes.push(mode);
  }
  const node = (i: number): Node => s.nodes[i]!;
  return fuseLoop(node(root), members.map(node), leaves.map(node), modes);
}

function uninline(s: Schedule, inlined: Set<number>, root: number): void {
  for (const input of s.nodes[root]!.inputs) {
    const j = s.at(input);
    if (inlined.delete(j)) uninline(s, inlined, j);
  }
}
