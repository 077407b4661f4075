/** Walking the YAML AST: a cursor knows the file, the key path and how to turn a node into a position. */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Problems, SourcePosition } from './errors.js';

/** A value with where it was written. */
export interface Located<T> {
  value: T;
  position: SourcePosition;
  /** Dotted key path of the value. */
  path: string;
}

export interface Source {
  file: string;
  lineCounter: LineCounter;
  doc: Document;
  problems: Problems;
}

export class Cursor {
  constructor(
    readonly source: Source,
    readonly path: string,
    /** The key of the value at `path` as written, when the value was reached through a mapping key. */
    private readonly keyNode?: unknown,
  ) {}

  /** Where the key of the value at `path` is written (found when asked: few messages need it). */
  get keyPosition(): SourcePosition | undefined {
    return this.keyNode === undefined ? undefined : this.position(this.keyNode);
  }

  /** `environments` → `environments.production`; numbers become `hosts[1]`. `keyNode` is the key as written. */
  child(key: string | number, keyNode?: unknown): Cursor {
    if (typeof key === 'number') return new Cursor(this.source, `${this.path}[${key}]`);
    return new Cursor(this.source, this.path ? `${this.path}.${key}` : key, keyNode);
  }

  /** 1-based position of a node (start of the file for a missing node). */
  position(node: unknown): SourcePosition {
    const offset = isNodeWithRange(node) ? node.range[0] : 0;
    const { line, col } = this.source.lineCounter.linePos(offset);
    return { file: this.source.file, line, column: col };
  }

  problem(node: unknown, message: string): undefined {
    this.problemAt(this.position(node), message);
    return undefined;
  }

  problemAt(position: SourcePosition, message: string): undefined {
    this.source.problems.add(position, this.path, message);
    return undefined;
  }

  located<T>(value: T, node: unknown): Located<T> {
    return { value, position: this.position(node), path: this.path };
  }

  /** Follows an alias to its anchored node (the document has already passed the alias-count check). */
  resolve(node: unknown): unknown {
    if (isAlias(node)) return node.resolve(this.source.doc) ?? null;
    return node;
  }
}

function isNodeWithRange(node: unknown): node is Node & { range: [number, number, number] } {
  return (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) && Array.isArray(node.range);
}

/** `a list`, `a mapping`, `nothing`, `"text"`, `5` — for "(got …)" in messages. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null || node.value === undefined) return 'nothing';
    if (typeof node.value === 'string') return JSON.stringify(node.value);
    return node.source ?? String(node.value);
  }
  return node === null || node === undefined ? 'nothing' : 'an unsupported value';
}
