import { parseWithoutProcessing } from '@handlebars/parser';

/** The parser's side of handlebars.ts: parsing, its error messages and path segments. */

/**
 * The parts of @handlebars/parser's AST read here. Its own typings do not resolve under
 * NodeNext (extensionless imports), so they would silently be `any`.
 */
export namespace AST {
  export interface Position {
    line: number;
    column: number;
  }
  export interface Node {
    type: string;
    loc: { start: Position; end: Position };
  }
  export type Statement = Node;
  export type Expression = Node;
  export interface Program extends Node {
    body: Statement[];
    blockParams?: string[];
  }
  export interface Hash extends Node {
    pairs: { key: string; value: Expression }[];
  }
  export interface PathExpression extends Node {
    type: 'PathExpression';
    data: boolean;
    depth: number;
    parts: (string | Node)[];
    head?: string | Node;
    tail: string[];
    original: string;
  }
  export interface SubExpression extends Node {
    path: Node;
    params: Expression[];
    hash?: Hash;
  }
  export interface MustacheStatement extends SubExpression {
    escaped: boolean;
  }
  export interface BlockStatement extends Node {
    /** A literal too (`{{#"x"}}`), which Handlebars reads as a path. */
    path: Node;
    params: Expression[];
    hash?: Hash;
    program: Program;
    inverse?: Program;
  }
  export interface StringLiteral extends Node {
    value: string | number | boolean;
  }
}

export interface Segment {
  text: string;
  start: number;
  end: number;
  /** `[name]`: never `this` or `..`, whatever it says. */
  literal: boolean;
}

/** A path's segments in the source (`../[a b]/c` → `..`, `[a b]`, `c`), without the `@` of data. */
export function segmentsOf(text: string, base: number): Segment[] | null {
  const out: Segment[] = [];
  let i = text.startsWith('@') ? 1 : 0;
  for (;;) {
    const start = i;
    if (text.startsWith('..', i)) i += 2;
    else if (text[i] === '[') {
      i++;
      while (i < text.length && text[i] !== ']') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) return null;
      i++;
    } else if (text[i] === '.') i++;
    else while (i < text.length && !'./['.includes(text[i])) i++;
    if (i === start) return null;
    out.push({
      text: text.slice(start, i),
      start: base + start,
      end: base + i,
      literal: text[start] === '[',
    });
    if (i >= text.length) return out;
    if (text[i] !== '.' && text[i] !== '/') return null;
    i++;
  }
}

export const isNavigation = (s: Segment) =>
  !s.literal && (s.text === '..' || s.text === '.' || s.text === 'this');

export type Parsed = { ok: true; program: AST.Program } | { ok: false; problem: { message: string } };

export function parse(source: string): Parsed {
  try {
    return { ok: true, program: parseWithoutProcessing(source) as unknown as AST.Program };
  } catch (error) {
    return { ok: false, problem: { message: parseProblem((error as Error).message) } };
  }
}

/** The parser's message, said for a marketer. */
function parseProblem(message: string): string {
  const line = /on line (\d+)/.exec(message)?.[1] ?? /- (\d+):\d+$/.exec(message)?.[1];
  const at = line ? ` (line ${line})` : '';
  const mismatch = /^(.+) doesn't match (.+?) - \d+:\d+$/.exec(message);
  if (mismatch) return `{{/${mismatch[2]}}} closes {{#${mismatch[1]}}}${at}`;
  const got = /got '(\w+)'\s*$/.exec(message)?.[1];
  if (got === 'EOF') return `a block or a tag is not closed${at}`;
  if (got === 'INVERSE' || got === 'OPEN_INVERSE_CHAIN') return `{{else}} outside a block${at}`;
  if (got === 'OPEN_ENDBLOCK') return `a closing tag closes no block${at}`;
  if (got === 'INVALID') return `a {{ tag is not closed, or holds what Handlebars cannot read${at}`;
  const expected = message.split('\n').pop() ?? message;
  return `not valid Handlebars${at}: ${expected.replace(/ - \d+:\d+$/, '')}`;
}
