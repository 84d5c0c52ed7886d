/**
 * Pass 1, schedule: the facts every later pass reads. Nodes keep their topological order and
 * are named by position; each position gets its readers, and its concrete shape for this
 * binding of the symbolic dimensions (inferred as the interpreter infers it at run time).
 * @module
 */
import {
  checkSize, type ConcreteShape, type DimBindings, type DType, type Node, opDef, ShapeError, StablegradError,
} from '@stablegrad/core';

/**
 * A graph scheduled for one binding of its dimensions: positions, readers, outputs and shapes.
 * @example
 * ```ts
 * const s = schedule(nodes, [loss], types, new Map([['batch', 32]]));
 * s.shapes[s.at(loss)]; // []
 * ```
 */
export interface Schedule {
  /** The nodes in topological order; a node is named by its position here. */
  readonly nodes: readonly Node[];
  /** Concrete shape of every node, by position. */
  readonly shapes: readonly ConcreteShape[];
  /** Positions of the nodes that read node i, in order (one entry per input edge). */
  readonly users: readonly (readonly number[])[];
  /** Positions of the plan's outputs, in the caller's order. */
  readonly outputs: readonly number[];
  /** The outputs as a set. */
  readonly isOutput: ReadonlySet<number>;
  /** Position of a node of the graph. */
  at(node: Node): number;
  /** True for inputs, params and constants: their data is given to each run. */
  isSource(i: number): boolean;
}

/**
 * The concrete type of each source (input, param, constant), by position; undefined elsewhere.
 * @example
 * ```ts
 * const types: SourceTypes = [{ shape: [32, 4], dtype: 'float32' }, undefined];
 * ```
 */
export type SourceTypes = readonly ({ shape: ConcreteShape; dtype: DType } | undefined)[];

/**
 * Schedules `nodes` (topological order) for the given source types and dimensions. An op whose
 * shape cannot be inferred is the interpreter's error, prefixed with the node.
 * @example
 * ```ts
 * schedule(nodes, [loss], types, new Map([['batch', 32]])).users[0]; // readers of node 0
 * ```
 */
export function schedule(nodes: readonly Node[], outputs: readonly Node[], sourceTypes: SourceTypes, dims: DimBindings): Schedule {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const at = (node: Node): number => index.get(node)!;
  const users = nodes.map(() => [] as number[]);
  nodes.forEach((n, i) => n.inputs.forEach((input) => users[at(input)]!.push(i)));
  const outputPositions = outputs.map(at);
  return {
    nodes,
    shapes: inferShapes(nodes, at, sourceTypes, dims),
    users,
    outputs: outputPositions,
    isOutput: new Set(outputPositions),
    at,
    isSource: (i) => nodes[i]!.inputs.length === 0,
  };
}

/** Concrete shapes of every node, as the interpreter infers them at run time. */
function inferShapes(nodes: readonly Node[], at: (node: Node) => number, sourceTypes: SourceTypes, dims: DimBindings): ConcreteShape[] {
  const shapes: ConcreteShape[] = [];
  nodes.forEach((node, i) => {
    const given = sourceTypes[i];
    if (given !== undefined) {
      shapes.push(given.shape);
      return;
    }
    try {
      const inputs = node.inputs.map((input) => ({ shape: shapes[at(input)]!, dtype: input.dtype }));
      const type = opDef(node.op).infer(inputs, node.attrs, dims);
      if (!type.shape.every((d): d is number => typeof d === 'number')) throw new ShapeError(`could not resolve the shape [${type.shape.join(', ')}]`);
      // Checked before any buffer of this size is allocated (named dimensions are known only now).
      checkSize(type.shape, 'output');
      shapes.push(type.shape);
    } catch (e) {
      if (e instanceof StablegradError) {
        const Kind = e.constructor as new (message: string) => StablegradError;
        throw new Kind(`${node}: ${e.message}`);
      }
      throw e;
    }
  });
  return shapes;
}
