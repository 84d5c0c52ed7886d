/**
 * JSON (de)serialization of whole graphs. `toJSON` writes a plain object for `JSON.stringify`;
 * `fromJSON` reads one back and trusts nothing in it: every field is checked, every node is
 * rebuilt through its op's shape rule and compared with what the file recorded, and the first
 * problem is a GraphError whose path (`$.nodes[3].inputs[0]`) points at the offending field.
 * Nothing read from a file is ever run as code, and only known keys are copied, so keys such as
 * `__proto__` cannot reach any prototype.
 * @module
 */
import { inferFor } from './apply.js';
import { type DType, dtypeOfArray, allocate, isDType, isFloat } from './dtype.js';
import { GraphError } from './errors.js';
import { type Graph, type GraphOutputs, graph, isGraph } from './graph.js';
import { Node } from './node.js';
import type { AttrKind, Attrs, AttrValue, OpDef, TypeInfo } from './op.js';
import { OP_NAMES, type OpName } from './op-names.js';
import { isOpName, opDef } from './registry.js';
import { type ConcreteShape, type Dim, formatShape, MAX_DIM, MAX_ELEMENTS, sameWrittenShape, type Shape, sizeOf } from './shape.js';
import { scopeNameProblem } from './scope.js';
import type { Tensor } from './tensor.js';

/**
 * A number as written to JSON: finite numbers as themselves, the others (and -0) as strings.
 * @example
 * ```ts
 * toJSON(graph(constant(tensor([NaN, -0, 1.5], { dtype: 'float64' })))).nodes[0]?.value?.data; // ['NaN', '-0', 1.5]
 * ```
 */
export type JSONNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/**
 * An attribute as written to JSON; numbers of `number` attributes use the `JSONNumber` strings.
 * @example
 * ```ts
 * toJSON(graph(input(['batch', 2]).sum({ axis: 1 }))).nodes[1]?.attrs; // { axes: [1], keepDims: false }
 * ```
 */
export type AttrJSON = JSONNumber | boolean | string | readonly number[] | readonly Dim[];

/**
 * The value of a `param` or `constant` node: row-major data, exact to the bit (NaN payloads aside).
 * @example
 * ```ts
 * const t: TensorJSON = { dtype: 'float32', shape: [2], data: [0.5, 'Infinity'] };
 * ```
 */
export interface TensorJSON {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: readonly JSONNumber[];
}

/**
 * One node; `inputs` are indices of earlier nodes.
 * @example
 * ```ts
 * const x: NodeJSON = {
 *   op: 'input', inputs: [], attrs: { shape: ['batch', 2], dtype: 'float32' },
 *   name: 'x', scope: [], shape: ['batch', 2], dtype: 'float32',
 * };
 * ```
 */
export interface NodeJSON {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly attrs: { readonly [name: string]: AttrJSON };
  readonly name: string;
  readonly scope: readonly string[];
  readonly shape: readonly Dim[];
  readonly dtype: DType;
  /** Present exactly for `param` and `constant` nodes. */
  readonly value?: TensorJSON;
}

/**
 * One named output of the graph.
 * @example
 * ```ts
 * toJSON(graph({ loss })).outputs; // [{ name: 'loss', node: 8 }]: index 8 in `nodes`
 * ```
 */
export interface GraphOutputJSON {
  readonly name: string;
  /** Index of the output node in `nodes`. */
  readonly node: number;
}

/**
 * A whole graph as plain JSON data: nodes in graph order (inputs first), then the outputs.
 * @example
 * ```ts
 * const json: GraphJSON = toJSON(graph({ loss }));
 * writeFileSync('model.json', JSON.stringify(json));
 * const again = fromJSON(JSON.parse(readFileSync('model.json', 'utf8')));
 * ```
 */
export interface GraphJSON {
  readonly format: 'stablegrad-graph';
  readonly version: 1;
  readonly nodes: readonly NodeJSON[];
  readonly outputs: readonly GraphOutputJSON[];
}

/**
 * Options of `toJSON`.
 * @example
 * ```ts
 * toJSON(graph({ loss }), { values: new Map([[W, trainedW], [b, trainedB]]) }); // save trained weights
 * ```
 */
export interface ToJSONOptions {
  /** Values to write instead of the params' initial values (trained weights). */
  readonly values?: ReadonlyMap<Node, Tensor>;
}

const FORMAT = 'stablegrad-graph';
const VERSION = 1;
/** Longest shape or list of integers accepted (NumPy allows 64 dimensions). */
const MAX_RANK = 64;
// Largest dimension (MAX_DIM) and most elements of a stored value or computed tensor
// (MAX_ELEMENTS): the builder's own limits from shape.ts, checked before allocating.

/** Longest string attribute accepted (they are words such as a padding mode). */
const MAX_ATTR_STRING = 64;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// ---------------------------------------------------------------- writing

/**
 * Writes a graph as plain JSON data. Numbers that JSON cannot hold (NaN, +-Infinity, -0) become
 * the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`, so values come back bit for bit.
 * @example
 * ```ts
 * const text = JSON.stringify(toJSON(graph({ loss })));
 * const trained = JSON.stringify(toJSON(graph({ loss }), { values: new Map([[W, trainedW]]) }));
 * ```
 */
export function toJSON(g: Graph | GraphOutputs, options: ToJSONOptions = {}): GraphJSON {
  const whole = isGraph(g) ? g : graph(g);
  const index = new Map<Node, number>();
  const nodes = whole.nodes.map((node, i): NodeJSON => {
    const inputs = node.inputs.map((input) => {
      const k = index.get(input);
      if (k === undefined) throw new GraphError(`cannot write ${node}: its input ${input} is not an earlier node of the graph`);
      return k;
    });
    if (index.has(node)) throw new GraphError(`cannot write the graph: ${node} is listed twice`);
    index.set(node, i);
    return writeNode(node, inputs, options.values?.get(node));
  });
  for (const node of options.values?.keys() ?? []) {
    if (index.has(node) && node.op !== 'param') throw new GraphError(`cannot write a value for ${node}: only params take new values`);
  }
  const outputs = whole.outputs.map((node, i): GraphOutputJSON => {
    const k = index.get(node);
    if (k === undefined) throw new GraphError(`cannot write output ${i}: ${node} is not a node of the graph`);
    return { name: whole.outputNames[i] ?? `output_${i}`, node: k };
  });
  return { format: FORMAT, version: VERSION, nodes, outputs };
}

function writeNode(node: Node, inputs: number[], newValue: Tensor | undefined): NodeJSON {
  const spec = opDef(node.op).attrs;
  const attrs: { [name: string]: AttrJSON } = {};
  for (const [key, v] of Object.entries(node.attrs) as [string, AttrValue | undefined][]) {
    if (v === undefined) continue;
    if (!Object.hasOwn(spec, key)) throw new GraphError(`cannot write ${node}: op ${node.op} declares no attribute '${key}'`);
    attrs[key] = writeAttr(v, baseKind(spec[key]!));
  }
  const base = {
    op: node.op, inputs, attrs, name: node.name, scope: [...node.scope], shape: node.shape.map(writeDim), dtype: node.dtype,
  };
  if (node.op !== 'param' && node.op !== 'constant') return base;
  const t = newValue ?? node.value;
  if (t === undefined) throw new GraphError(`cannot write ${node}: it has no value`);
  const fits =
    t.dtype === node.dtype && dtypeOfArray(t.data) === t.dtype && t.shape.length === node.shape.length &&
    t.shape.every((d, i) => d === node.shape[i]) && t.data.length === sizeOf(t.shape);
  if (!fits) {
    throw new GraphError(`cannot write ${node}: its value is ${formatShape(t.shape)} ${t.dtype} with ${t.data.length} elements`);
  }
  return { ...base, value: { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data, writeNumber) } };
}

function writeAttr(v: AttrValue, kind: AttrKind): AttrJSON {
  if (typeof v === 'number') return kind === 'number' ? writeNumber(v) : writeDim(v);
  if (Array.isArray(v)) return (v as readonly Dim[]).map(writeDim);
  return v as boolean | string;
}

/** Integers and dimensions: -0 is 0 (JSON would print it so anyway). */
function writeDim<D extends Dim>(d: D): D {
  return (d === 0 ? 0 : d) as D;
}

function writeNumber(x: number): JSONNumber {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}

// ---------------------------------------------------------------- reading

/**
 * Reads a graph written by `toJSON`, from JSON text or from already parsed data. Everything is
 * validated (format, ops, arities, attributes, dtypes, shapes, values, and that each node's
 * recorded shape is what its op computes from its inputs); nodes are rebuilt in file order with
 * their names, scopes and values. Every problem is a GraphError naming the JSON path at fault.
 * @example
 * ```ts
 * const g = fromJSON(readFileSync('model.json', 'utf8'));
 * evaluate(g.outputs[0]!, { x: [[1, 2, 3]] });
 * ```
 */
export function fromJSON(json: unknown): Graph {
  const root = typeof json === 'string' ? parse(json) : json;
  const top = entries(root, '$');
  const format = top.get('format');
  if (format !== FORMAT) throw new GraphError(`not a stablegrad graph: expected format "${FORMAT}", found ${describe(format)}`, '$.format');
  const version = top.get('version');
  if (version !== VERSION) throw new GraphError(`unsupported version: this build reads version ${VERSION}, found ${describe(version)}`, '$.version');
  checkKeys(top, '$', ['format', 'version', 'nodes', 'outputs'], []);

  const rawNodes = array(top.get('nodes'), '$.nodes', 'a list of nodes');
  const nodes: Node[] = [];
  for (let i = 0; i < rawNodes.length; i++) nodes.push(readNode(rawNodes[i], `$.nodes[${i}]`, nodes));

  const rawOutputs = array(top.get('outputs'), '$.outputs', 'a list of outputs');
  const outputs: Node[] = [];
  const outputNames: string[] = [];
  const names = new Set<string>();
  const used = new Array<boolean>(nodes.length).fill(false);
  for (let i = 0; i < rawOutputs.length; i++) {
    const path = `$.outputs[${i}]`;
    const out = entries(rawOutputs[i], path);
    checkKeys(out, path, ['name', 'node'], []);
    const name = string(out.get('name'), `${path}.name`);
    if (names.has(name)) throw new GraphError(`output name "${name}" is used twice`, `${path}.name`);
    const k = out.get('node');
    if (!isIndex(k) || k >= nodes.length) {
      throw new GraphError(`expected the index of a node (0 to ${nodes.length - 1}), found ${describe(k)}`, `${path}.node`);
    }
    outputs.push(nodes[k]!);
    outputNames.push(name);
    names.add(name);
    used[k] = true;
  }
  // A file written by toJSON holds only what its outputs need; anything else is damage.
  const position = new Map<Node, number>(nodes.map((n, i) => [n, i]));
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!used[i]) throw new GraphError(`node ${nodes[i]} is not used by any output`, `$.nodes[${i}]`);
    for (const input of nodes[i]!.inputs) used[position.get(input)!] = true;
  }
  return { outputs, outputNames, nodes };
}

function readNode(raw: unknown, path: string, earlier: readonly Node[]): Node {
  const fields = entries(raw, path);
  checkKeys(fields, path, ['op', 'inputs', 'attrs', 'name', 'scope', 'shape', 'dtype'], ['value']);
  const opName = fields.get('op');
  if (!isOpName(opName)) throw new GraphError(unknownOp(opName), `${path}.op`);
  const op = opDef(opName);
  const inputs = readInputs(fields.get('inputs'), `${path}.inputs`, op, earlier);
  const attrs = readAttrs(fields.get('attrs'), `${path}.attrs`, op);
  const name = string(fields.get('name'), `${path}.name`);
  const scope = array(fields.get('scope'), `${path}.scope`, 'a list of scope names').map((s, i) => {
    const name = string(s, `${path}.scope[${i}]`);
    const problem = scopeNameProblem(name);
    if (problem !== undefined) throw new GraphError(problem, `${path}.scope[${i}]`);
    return name;
  });
  const shape = readShape(fields.get('shape'), `${path}.shape`, false);
  const dtype = readDType(fields.get('dtype'), `${path}.dtype`);

  let value: Tensor | undefined;
  if (opName === 'param' || opName === 'constant') {
    if (!fields.has('value')) throw new GraphError(`a ${opName} node needs its value`, `${path}.value`);
    const declared = attrs['shape'] as Shape;
    declared.forEach((d, i) => {
      if (typeof d !== 'number' || d < 0) {
        throw new GraphError(`a ${opName} has a fixed shape: expected a size >= 0, found ${describe(d)}`, `${path}.attrs.shape[${i}]`);
      }
    });
    value = readTensor(fields.get('value'), `${path}.value`);
    if (value.dtype !== attrs['dtype']) {
      throw new GraphError(`value is ${value.dtype} but the ${opName} is ${String(attrs['dtype'])}`, `${path}.value.dtype`);
    }
    if (!sameWrittenShape(value.shape, declared)) {
      throw new GraphError(`value has shape ${formatShape(value.shape)} but the ${opName} has ${formatShape(declared)}`, `${path}.value.shape`);
    }
  } else if (fields.has('value')) {
    throw new GraphError(`only param and constant nodes hold a value, not ${opName}`, `${path}.value`);
  }

  const where = `${opName} '${scope.length === 0 ? name : `${scope.join('/')}/${name}`}'`;
  let type: TypeInfo;
  try {
    type = inferFor(op, inputs, attrs, where);
  } catch (e) {
    throw new GraphError(`does not fit its inputs: ${e instanceof Error ? e.message : String(e)}`, path);
  }
  if (!sameWrittenShape(shape, type.shape)) {
    throw new GraphError(`recorded shape ${formatShape(shape)} differs from ${formatShape(type.shape)}, computed by ${opName} from its inputs`, `${path}.shape`);
  }
  if (dtype !== type.dtype) {
    throw new GraphError(`recorded dtype ${dtype} differs from ${type.dtype}, computed by ${opName} from its inputs`, `${path}.dtype`);
  }
  return new Node({ op: opName, inputs, attrs, shape, dtype, name, scope, value });
}

function readInputs(raw: unknown, path: string, op: OpDef, earlier: readonly Node[]): Node[] {
  const list = array(raw, path, 'a list of input indices');
  if (op.arity === 'variadic' ? list.length === 0 : list.length !== op.arity) {
    const want = op.arity === 'variadic' ? 'one or more inputs' : `${op.arity} input${op.arity === 1 ? '' : 's'}`;
    throw new GraphError(`op ${op.name} takes ${want}, found ${list.length}`, path);
  }
  return list.map((k, i) => {
    if (!isIndex(k)) throw new GraphError(`expected the index of an earlier node, found ${describe(k)}`, `${path}[${i}]`);
    if (k >= earlier.length) {
      throw new GraphError(`input ${k} is not an earlier node (cycle or forward reference): this is node ${earlier.length}, and inputs must come before it`, `${path}[${i}]`);
    }
    return earlier[k]!;
  });
}

function readAttrs(raw: unknown, path: string, op: OpDef): Attrs {
  const fields = entries(raw, path);
  // Null prototype: keys are checked against the op's own spec, and nothing can reach a prototype.
  const attrs = Object.create(null) as { [name: string]: AttrValue };
  const declared = Object.keys(op.attrs);
  for (const [key, v] of fields) {
    if (!Object.hasOwn(op.attrs, key)) {
      const list = declared.length === 0 ? 'it has none' : `it has ${declared.join(', ')}`;
      throw new GraphError(`op ${op.name} has no attribute "${key}" (${list})`, member(path, key));
    }
    attrs[key] = readAttr(v, baseKind(op.attrs[key]!), member(path, key));
  }
  for (const key of declared) {
    if (!op.attrs[key]!.endsWith('?') && !fields.has(key)) {
      throw new GraphError(`missing attribute "${key}" of op ${op.name} (${KIND_TEXT[baseKind(op.attrs[key]!)]})`, member(path, key));
    }
  }
  return attrs;
}

const KIND_TEXT: { readonly [K in AttrKind]: string } = {
  int: 'an integer',
  ints: 'a list of integers',
  number: 'a number, "NaN", "Infinity", "-Infinity" or "-0"',
  bool: 'true or false',
  dtype: 'a dtype (float32, float64 or int32)',
  shape: 'a shape (a list of sizes, names, null or -1)',
  string: `a string of at most ${MAX_ATTR_STRING} characters`,
};

function readAttr(v: unknown, kind: AttrKind, path: string): AttrValue {
  switch (kind) {
    case 'int':
      if (!Number.isSafeInteger(v)) throw new GraphError(`expected ${KIND_TEXT.int}, found ${describe(v)}`, path);
      return (v as number) + 0;
    case 'ints': {
      const list = array(v, path, KIND_TEXT.ints);
      if (list.length > MAX_RANK) throw new GraphError(`expected at most ${MAX_RANK} integers, found ${list.length}`, path);
      return Object.freeze(list.map((x, i) => {
        if (!Number.isSafeInteger(x)) throw new GraphError(`expected ${KIND_TEXT.int}, found ${describe(x)}`, `${path}[${i}]`);
        return (x as number) + 0;
      }));
    }
    case 'number':
      return readNumber(v, path);
    case 'bool':
      if (typeof v !== 'boolean') throw new GraphError(`expected ${KIND_TEXT.bool}, found ${describe(v)}`, path);
      return v;
    case 'dtype':
      return readDType(v, path);
    case 'shape':
      return readShape(v, path, true);
    case 'string':
      // Only the length is checked here; the op's shape rule says which words it accepts.
      if (typeof v !== 'string' || v.length > MAX_ATTR_STRING) throw new GraphError(`expected ${KIND_TEXT.string}, found ${describe(v)}`, path);
      return v;
    default:
      return kind satisfies never;
  }
}

function readTensor(raw: unknown, path: string): Tensor {
  const fields = entries(raw, path);
  checkKeys(fields, path, ['dtype', 'shape', 'data'], []);
  const dtype = readDType(fields.get('dtype'), `${path}.dtype`);
  const shape = readShape(fields.get('shape'), `${path}.shape`, false);
  shape.forEach((d, i) => {
    if (typeof d !== 'number') throw new GraphError(`a value has a fixed shape: expected a size, found ${describe(d)}`, `${path}.shape[${i}]`);
  });
  const size = boundedSize(shape as ConcreteShape);
  if (size > MAX_ELEMENTS) {
    throw new GraphError(`shape ${formatShape(shape)} holds more than ${MAX_ELEMENTS} elements, the most a stored value may have`, `${path}.shape`);
  }
  const list = array(fields.get('data'), `${path}.data`, 'a list of numbers');
  if (list.length !== size) {
    throw new GraphError(`shape ${formatShape(shape)} needs ${size} numbers, found ${list.length}`, `${path}.data`);
  }
  const data = allocate(dtype, size);
  for (let i = 0; i < size; i++) data[i] = readElement(list[i], dtype, `${path}.data[${i}]`);
  return { dtype, shape: Object.freeze(shape as ConcreteShape), data };
}

function readElement(v: unknown, dtype: DType, path: string): number {
  if (!isFloat(dtype)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new GraphError(`expected an int32 integer (${INT32_MIN} to ${INT32_MAX}), found ${describe(v)}`, path);
    }
    return v;
  }
  const x = readNumber(v, path);
  if (dtype === 'float32' && Number.isFinite(x) && !Number.isFinite(Math.fround(x))) {
    throw new GraphError(`${x} is outside the float32 range`, path);
  }
  return x;
}

function readNumber(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
    case '-0': return -0;
    default:
      throw new GraphError(`expected a number, "NaN", "Infinity", "-Infinity" or "-0", found ${describe(v)}`, path);
  }
}

/** A shape: sizes in [0, 2^31), non-empty names, null, and -1 where `minusOne` allows it. */
function readShape(raw: unknown, path: string, minusOne: boolean): Dim[] {
  const list = array(raw, path, 'a shape (a list of dimensions)');
  if (list.length > MAX_RANK) throw new GraphError(`rank ${list.length} is more than ${MAX_RANK}`, path);
  return Object.freeze(list.map((d, i): Dim => {
    if (d === null || (typeof d === 'string' && d.length > 0)) return d;
    if (Number.isInteger(d) && (d as number) >= (minusOne ? -1 : 0) && (d as number) <= MAX_DIM) return (d as number) + 0;
    const sizes = minusOne ? `a size (0 to ${MAX_DIM}), -1` : `a size (0 to ${MAX_DIM})`;
    throw new GraphError(`expected ${sizes}, a name or null, found ${describe(d)}`, `${path}[${i}]`);
  })) as Dim[];
}

function readDType(v: unknown, path: string): DType {
  if (!isDType(v)) throw new GraphError(`expected a dtype (float32, float64 or int32), found ${describe(v)}`, path);
  return v;
}

// ---------------------------------------------------------------- JSON helpers

function parse(text: string): unknown {
  try {
    // A UTF-8 byte-order mark (as some Windows editors write) is not part of the JSON text.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw new GraphError(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`, '$');
  }
}

/** The own data properties of a plain object, in order; nothing is read through a prototype. */
function entries(value: unknown, path: string): Map<string, unknown> {
  const proto = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) throw new GraphError(`expected an object, found ${describe(value)}`, path);
  const out = new Map<string, unknown>();
  for (const key of Object.keys(value as object)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (!('value' in descriptor)) throw new GraphError('expected plain data, found a getter', member(path, key));
    out.set(key, descriptor.value);
  }
  return out;
}

function checkKeys(fields: ReadonlyMap<string, unknown>, path: string, required: readonly string[], optional: readonly string[]): void {
  for (const key of fields.keys()) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new GraphError(`unexpected key "${key}" (expected ${[...required, ...optional].join(', ')})`, member(path, key));
    }
  }
  for (const key of required) if (!fields.has(key)) throw new GraphError(`missing key "${key}"`, member(path, key));
}

function array(value: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw new GraphError(`expected ${what}, found ${describe(value)}`, path);
  return value as unknown[];
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new GraphError(`expected a string, found ${describe(value)}`, path);
  return value;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** JSONPath of a member: `$.a.b`, or `$.a["odd key"]`. */
function member(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A short description of a JSON value, for messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

// ---------------------------------------------------------------- small helpers

function baseKind(kind: string): AttrKind {
  return (kind.endsWith('?') ? kind.slice(0, -1) : kind) as AttrKind;
}

/** Number of elements, stopping early past the limit (so huge dimensions cannot overflow). */
function boundedSize(shape: ConcreteShape): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > MAX_ELEMENTS) return n;
  }
  return n;
}

function unknownOp(name: unknown): string {
  if (typeof name !== 'string') return `expected an op name, found ${describe(name)}`;
  const distances = name.length <= 64 ? OP_NAMES.map((op) => editDistance(op.toLowerCase(), name.toLowerCase())) : [];
  const best = Math.min(...distances);
  const near = best <= 2 ? OP_NAMES.filter((_, i) => distances[i] === best) : [];
  const hint = near.length > 0
    ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
    : `known ops include ${OP_NAMES.slice(0, 8).join(', ')}, ... (${OP_NAMES.length} in all)`;
  return `unknown op ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name)}; ${hint}`;
}

/** Edit distance counting swaps of neighbours as one edit, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const up = d[i - 1]!;
      row[j] = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
