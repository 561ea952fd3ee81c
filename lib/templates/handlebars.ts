import { type AST, isNavigation, parse, segmentsOf } from './handlebars-ast.js';

/**
 * Template sources, read with the real Handlebars parser. SES renders template data without
 * HTML escaping (see template-data.ts), so the data's root holds HTML-escaped values and `raw`
 * the originals. Three things follow, all decided on the parsed template:
 * - checkTemplate() refuses a template that could reach `raw` (or otherwise bypass escaping)
 *   from its html part, or that uses syntax whose scoping we cannot follow;
 * - readRawValues() points the subject's and the text's lookups of the root at `raw`;
 * - hideRawValues() undoes that, so a marketer reads back exactly what they wrote.
 * Scoping follows Handlebars 4: `each` and `with` change the context (`../` steps out of
 * them), `if` and `unless` do not; block params (`as |p|`) and `@root` are resolved too.
 */

export type TemplatePart = 'subject' | 'html' | 'text';

export interface TagProblem {
  message: string;
}

const RESERVED = 'raw';
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const CALL_HELPERS = new Set(['lookup', 'log']);
const LITERALS = new Set([
  'StringLiteral',
  'NumberLiteral',
  'BooleanLiteral',
  'UndefinedLiteral',
  'NullLiteral',
]);

/** What a value is: the root of the template data (escaped values plus `raw`), or anything below it. */
type Kind = 'root' | 'data';
/** check: find problems; rewrite: point root lookups at `raw`; hide: take `raw` out again. */
type Mode = 'check' | 'rewrite' | 'hide';

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

class Walker {
  readonly problems: TagProblem[] = [];
  readonly edits: Edit[] = [];
  /** The context stack as Handlebars keeps it: a new entry only when the context changes. */
  private contexts: Kind[] = ['root'];
  private blockParams: Map<string, Kind>[] = [];
  private readonly lineStarts: number[] = [0];
  private tag = '';

  constructor(
    private readonly source: string,
    private readonly mode: Mode,
    private readonly html: boolean,
  ) {
    for (const m of source.matchAll(/\r\n?|\n/g)) this.lineStarts.push(m.index + m[0].length);
  }

  program(program: AST.Program | undefined): void {
    for (const statement of program?.body ?? []) this.statement(statement);
  }

  private offset(p: AST.Position): number {
    return (this.lineStarts[p.line - 1] ?? this.source.length) + p.column;
  }

  private problem(node: AST.Node, reason: string): void {
    const where = `line ${node.loc.start.line}, column ${node.loc.start.column + 1}`;
    this.problems.push({ message: `${this.tag} (${where}): ${reason}` });
  }

  /** The opening tag of a statement, to name it in a problem. */
  private tagOf(node: AST.Node): string {
    const start = this.offset(node.loc.start);
    let end = this.source.indexOf('}}', start);
    if (end < 0) end = this.offset(node.loc.end);
    while (this.source[end] === '}') end++;
    const text = this.source.slice(start, end).replace(/\s+/g, ' ');
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
  }

  private statement(node: AST.Statement): void {
    this.tag = this.tagOf(node);
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const mustache = node as AST.MustacheStatement;
        if (this.html && !mustache.escaped) {
          this.problem(
            node,
            'triple-stash and {{& }} output unescaped HTML; write {{name}}, values are escaped',
          );
        }
        this.call(mustache, 'mustache');
        return;
      }
      case 'BlockStatement':
        this.block(node as AST.BlockStatement);
        return;
      default:
        // Partials and decorators run other template text in a context chosen at the call site.
        this.problem(node, 'partials and decorators are not supported; write the content in place');
    }
  }

  /** A mustache or a sub-expression: a value, or a call of lookup or log. */
  private call(node: AST.MustacheStatement | AST.SubExpression, at: 'mustache' | 'sexpr'): Kind {
    const path = node.path;
    if (path.type !== 'PathExpression') {
      this.problem(
        node,
        LITERALS.has(path.type) ? 'a literal cannot name a value here' : 'not Handlebars 4 syntax',
      );
      return 'data';
    }
    const name = this.helperName(path);
    const args = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (!args && at === 'mustache') {
      if (name && BLOCK_HELPERS.has(name))
        this.problem(node, `${name} needs a block: {{#${name} …}}…{{/${name}}}`);
      else if (name && CALL_HELPERS.has(name)) this.problem(node, `${name} needs arguments`);
      else return this.value(path as AST.PathExpression);
      return 'data';
    }
    if (!name || !CALL_HELPERS.has(name)) {
      this.problem(node, `unknown helper "${(path as AST.PathExpression).original}"; use lookup or log`);
      this.args(node);
      return 'data';
    }
    if (name === 'lookup') this.lookup(node);
    else this.args(node);
    return 'data';
  }

  private lookup(node: AST.MustacheStatement | AST.SubExpression): void {
    if (node.params.length !== 2) this.problem(node, 'lookup needs two arguments: an object and a key');
    const [object, key, ...rest] = node.params;
    const kind = object ? this.expression(object) : 'data';
    const literal = key && LITERALS.has(key.type) ? String((key as AST.StringLiteral).value) : undefined;
    if (key && literal === undefined) this.expression(key);
    for (const e of rest) this.expression(e);
    if (kind !== 'root' || this.mode === 'rewrite') return;
    if (literal === RESERVED) this.problem(node, `"${RESERVED}" is reserved: it holds the unescaped values`);
    else if (literal === undefined && this.html) {
      this.problem(
        node,
        'lookup on the root with a computed key can reach the unescaped values; name the key',
      );
    }
  }

  private args(node: { params: AST.Expression[]; hash?: AST.Hash }): void {
    for (const e of node.params) this.expression(e);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value);
  }

  private expression(node: AST.Expression): Kind {
    if (node.type === 'PathExpression') return this.value(node as AST.PathExpression);
    if (node.type === 'SubExpression') return this.call(node as AST.SubExpression, 'sexpr');
    if (!LITERALS.has(node.type)) this.problem(node, `${node.type} is not Handlebars 4 syntax`);
    return 'data';
  }

  /** The helper a path names (`each`, `lookup`), or null for anything but a plain name. */
  private helperName(node: AST.Node): string | null {
    if (node.type !== 'PathExpression') return null;
    const path = node as AST.PathExpression;
    if (path.data || path.depth > 0 || path.parts.length !== 1 || typeof path.head !== 'string') return null;
    const text = this.source.slice(this.offset(path.loc.start), this.offset(path.loc.end));
    return text === path.head && !this.blockParam(path.head) ? path.head : null;
  }

  private blockParam(name: string): Kind | undefined {
    for (let i = this.blockParams.length - 1; i >= 0; i--) {
      const kind = this.blockParams[i].get(name);
      if (kind) return kind;
    }
    return undefined;
  }

  private block(node: AST.BlockStatement): void {
    const name = this.helperName(node.path);
    if (!name || !BLOCK_HELPERS.has(name)) {
      this.problem(node, `not a block helper Stageflow supports (${[...BLOCK_HELPERS].join(', ')})`);
      this.args(node);
      this.program(node.program);
      this.program(node.inverse);
      return;
    }
    if (node.params.length !== 1) this.problem(node, `#${name} needs exactly one argument`);
    const [param, ...rest] = node.params;
    const kind = param ? this.expression(param) : 'data';
    for (const e of rest) this.expression(e);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value);
    const tag = this.tag;
    let inner: Kind | null = null;
    let params: Kind[] = [];
    if (name === 'each') {
      if (kind === 'root' && this.mode === 'check' && this.html) {
        this.problem(node, 'each over the root reaches the unescaped values');
      }
      inner = 'data';
      params = ['data', 'data'];
    } else if (name === 'with') {
      inner = this.sameContext(param, kind) ? null : kind;
      params = [kind];
    }
    this.scoped(node.program, inner, params);
    this.tag = tag;
    this.program(node.inverse); // `else` of each and with runs in the outer context
  }

  /** Handlebars pushes a context only when it differs from the current one. */
  private sameContext(param: AST.Expression | undefined, kind: Kind): boolean {
    const top = this.contexts[this.contexts.length - 1];
    if (kind === 'root') return top === 'root';
    if (param?.type !== 'PathExpression') return false;
    const path = param as AST.PathExpression;
    return !path.data && path.depth === 0 && path.parts.length === 0 && top !== 'root';
  }

  private scoped(program: AST.Program, context: Kind | null, params: Kind[]): void {
    const saved = { contexts: this.contexts, blockParams: this.blockParams };
    if (context) this.contexts = [...this.contexts, context];
    const names = program.blockParams ?? [];
    if (names.length) {
      this.blockParams = [...this.blockParams, new Map(names.map((n, i) => [n, params[i] ?? 'data']))];
    }
    this.program(program);
    this.contexts = saved.contexts;
    this.blockParams = saved.blockParams;
  }

  /** A path used as a value: resolved against contexts, block params and @root. */
  private value(path: AST.PathExpression): Kind {
    const start = this.offset(path.loc.start);
    const segments = segmentsOf(this.source.slice(start, this.offset(path.loc.end)), start);
    if (typeof path.head === 'object' || path.tail.some((p) => p.startsWith('#')) || !segments) {
      this.problem(path, 'this path syntax is not Handlebars 4');
      return 'data';
    }
    let navigation = 0;
    while (navigation < segments.length && isNavigation(segments[navigation])) navigation++;
    if (segments.length - navigation !== path.parts.length) {
      this.problem(path, 'this path syntax is not supported');
      return 'data';
    }
    const head = path.parts[0] as string | undefined;
    let target: Kind | null;
    let skip = navigation;
    // Only a step out (`../`) can land on a context Handlebars merged away, so for checks any
    // step out may reach the root.
    let mayBeRoot = false;
    if (path.data) {
      target = head === 'root' ? 'root' : null;
      skip++;
    } else if (navigation === 0 && head !== undefined && this.blockParam(head)) {
      target = this.blockParam(head) ?? null;
      skip++;
    } else {
      const index = this.contexts.length - 1 - path.depth;
      target = index >= 0 ? this.contexts[index] : null;
      mayBeRoot = index >= 0 && path.depth > 0;
    }
    const rest = path.parts.slice(skip - navigation) as string[];
    const root = target === 'root' || (mayBeRoot && this.mode === 'check');
    if (!root) return 'data';
    switch (this.mode) {
      case 'check':
        if (rest[0] === RESERVED)
          this.problem(path, `"${RESERVED}" is reserved: it holds the unescaped values`);
        return rest.length === 0 ? 'root' : 'data';
      case 'rewrite': {
        if (rest.length > 0) this.edits.push({ at: segments[skip].start, remove: 0, insert: `${RESERVED}.` });
        else {
          const last = segments[segments.length - 1];
          const separator = last.text === '.' || last.text === '..' ? '/' : '.';
          this.edits.push({ at: last.end, remove: 0, insert: `${separator}${RESERVED}` });
        }
        return 'data';
      }
      case 'hide': {
        if (rest[0] !== RESERVED) return rest.length === 0 ? 'root' : 'data';
        const seg = segments[skip];
        const next = segments[skip + 1];
        const from = next ? seg.start : segments[skip - 1]?.end;
        if (from === undefined) return 'data';
        this.edits.push({ at: from, remove: (next ? next.start : seg.end) - from, insert: '' });
        return 'data';
      }
    }
  }
}

function walk(source: string, mode: Mode, html: boolean): Walker | TagProblem {
  const parsed = parse(source);
  if (!parsed.ok) return parsed.problem;
  const walker = new Walker(source, mode, html);
  try {
    walker.program(parsed.program);
  } catch (error) {
    // A shape of syntax tree this walker does not know: refuse it rather than guess.
    return { message: `could not check this template: ${(error as Error).message}` };
  }
  return walker;
}

function applyEdits(source: string, edits: readonly Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) {
    out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  }
  return out;
}

/**
 * Problems with one part of a template: syntax, the reserved `raw`, helpers SES lacks, partials,
 * and in the html part every way around the escaping (triple-stash, `raw` by any path, lookup
 * or each over the root).
 */
export function checkTemplate(source: string, part: TemplatePart): TagProblem[] {
  const result = walk(source, 'check', part === 'html');
  return result instanceof Walker ? result.problems : [result];
}

/** Points the root lookups of a subject or text part at the unescaped values under `raw`. */
export function readRawValues(source: string): string {
  const result = walk(source, 'rewrite', false);
  return result instanceof Walker ? applyEdits(source, result.edits) : source;
}

/** Undoes readRawValues, so a marketer reads back what they wrote. */
export function hideRawValues(source: string): string {
  const result = walk(source, 'hide', false);
  return result instanceof Walker ? applyEdits(source, result.edits) : source;
}
