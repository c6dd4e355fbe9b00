/**
 * Minimal type declarations for the untyped Observable packages, covering only what src/cells uses.
 * Checked against the sources in node_modules (@observablehq/runtime 6.0.1, parser 6.1.0,
 * inspector 5.0.1, inputs 0.12.0, htl 0.3.1).
 */

declare module '@observablehq/runtime' {
  export interface Observer {
    pending?(): void;
    fulfilled?(value: unknown, name?: string | null): void;
    rejected?(error: unknown, name?: string | null): void;
    /** The runtime's `visibility` built-in watches this node with an IntersectionObserver. */
    _node?: Element;
  }
  export class Variable {
    define(name: string | null, inputs: readonly string[], definition: unknown): this;
    define(inputs: readonly string[], definition: unknown): this;
    define(definition: unknown): this;
    delete(): this;
  }
  export class Module {
    variable(observer?: Observer | boolean): Variable;
    define(name: string | null, inputs: readonly string[], definition: unknown): Variable;
    value(name: string): Promise<unknown>;
    builtin(name: string, value: unknown): void;
  }
  export class Runtime {
    constructor(builtins?: Record<string, unknown>, global?: (name: string) => unknown);
    module(): Module;
    dispose(): void;
  }
  export class RuntimeError extends Error {
    constructor(message: string, input?: string);
    input?: string;
  }
}

declare module '@observablehq/parser' {
  import type { Node } from 'acorn';
  export interface CellNode extends Node {
    type: 'Cell';
    id:
      | (Node & {
          type: 'Identifier' | 'ViewExpression' | 'MutableExpression';
          name?: string;
          id?: Node & { name: string };
        })
      | null;
    body: Node | null;
    async: boolean;
    generator: boolean;
    /** Free references: Identifier, ViewExpression or MutableExpression nodes. */
    references: (Node & { type: string; name?: string; id?: Node & { name: string } })[];
  }
  export function parseCell(input: string, options?: Record<string, unknown>): CellNode;
  export function peekId(input: string): string | undefined;
  export const walk: import('acorn-walk').RecursiveVisitors<unknown>;
}

declare module '@observablehq/inspector' {
  export class Inspector {
    constructor(node: Element);
    pending(): void;
    fulfilled(value: unknown, name?: string | null): void;
    rejected(error: unknown, name?: string | null): void;
    static into(container: Element | string): () => Inspector;
  }
}

declare module '@observablehq/inputs' {
  type InputFactory = (...args: never[]) => HTMLElement;
  export const button: InputFactory;
  export const checkbox: InputFactory;
  export const form: InputFactory;
  export const number: InputFactory;
  export const radio: InputFactory;
  export const range: InputFactory;
  export const search: InputFactory;
  export const select: InputFactory;
  export const table: InputFactory;
  export const text: InputFactory;
  export const textarea: InputFactory;
  export const toggle: InputFactory;
}

declare module 'htl' {
  export function html(strings: TemplateStringsArray, ...values: unknown[]): Node;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): Node;
}

declare module 'plotly.js-basic-dist-min' {
  const Plotly: unknown;
  export default Plotly;
}
