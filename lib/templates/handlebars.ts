/**
 * Just enough of Handlebars' tag syntax to keep personalisation safe. SES renders template
 * data without HTML escaping (see template-data.ts), so the data's root holds HTML-escaped
 * values and `raw` the originals; the subject and text parts are rewritten to read `raw.*`.
 * Marketers never see `raw`: it is reserved on input and stripped again on read.
 */

const TAG = /\{\{(\{?)(~?)([\s\S]*?)(~?)(\}?)\}\}/g;
const HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'else']);
const SCOPING = new Set(['each', 'with']);
const RESERVED = 'raw';

export interface TagProblem {
  message: string;
}

type Token = { text: string; start: number };

function tokens(expr: string): Token[] {
  const out: Token[] = [];
  const re = /"[^"]*"|'[^']*'|[^\s()]+/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) out.push({ text: m[0], start: m.index });
  return out;
}

/** The path a token refers to from the current context, or null for literals, keywords and @data. */
function rootSegment(token: string): string | null {
  const value = token.includes('=') && !token.startsWith('"') ? token.slice(token.indexOf('=') + 1) : token;
  if (/^["']/.test(value) || /^-?\d/.test(value) || value.startsWith('@') || value.startsWith('.'))
    return null;
  const m = /^([A-Za-z_$][\w$-]*)/.exec(value);
  if (!m || ['this', 'true', 'false', 'null', 'undefined'].includes(m[1])) return null;
  return m[1];
}

interface Expression {
  kind: 'comment' | 'open' | 'close' | 'else' | 'partial' | 'value';
  helper?: string;
  /** Tokens that are looked up as data (helper arguments, or the value itself). */
  params: Token[];
  body: string;
  bodyOffset: number;
}

function classify(inner: string): Expression {
  const lead = inner.length - inner.trimStart().length;
  const body = inner.trim();
  if (body.startsWith('!')) return { kind: 'comment', params: [], body, bodyOffset: lead };
  if (body.startsWith('>') || body.startsWith('#>') || body.startsWith('#*')) {
    return { kind: 'partial', params: [], body, bodyOffset: lead };
  }
  if (body.startsWith('/'))
    return { kind: 'close', helper: body.slice(1).trim(), params: [], body, bodyOffset: lead };
  if (body.startsWith('#') || body.startsWith('^')) {
    const toks = tokens(body.slice(1));
    const helper = toks[0]?.text ?? '';
    const params = toks.slice(1).map((t) => ({ text: t.text, start: t.start + 1 }));
    return { kind: 'open', helper, params, body, bodyOffset: lead };
  }
  const toks = tokens(body);
  if (toks[0]?.text === 'else') return { kind: 'else', params: toks.slice(2), body, bodyOffset: lead };
  if (toks.length > 1 || HELPERS.has(toks[0]?.text ?? '')) {
    return { kind: 'value', helper: toks[0].text, params: toks.slice(1), body, bodyOffset: lead };
  }
  return { kind: 'value', params: toks, body, bodyOffset: lead };
}

/** Problems with one part: unbalanced blocks and the reserved `raw` name. */
export function checkTemplate(source: string): TagProblem[] {
  const problems: TagProblem[] = [];
  const stack: string[] = [];
  for (const m of source.matchAll(TAG)) {
    const e = classify(m[3]);
    if (e.kind === 'open') stack.push(e.helper ?? '');
    else if (e.kind === 'close') {
      const open = stack.pop();
      if (open === undefined) problems.push({ message: `{{/${e.helper}}} closes no block` });
      else if (open !== e.helper) problems.push({ message: `{{/${e.helper}}} closes {{#${open}}}` });
    } else if (e.kind === 'else' && stack.length === 0)
      problems.push({ message: '{{else}} outside a block' });
    for (const p of e.params) {
      if (rootSegment(p.text) === RESERVED) problems.push({ message: `"${RESERVED}" is a reserved name` });
    }
  }
  if (source.includes('{{') && problems.length === 0) {
    const unclosed = source.replace(TAG, '');
    if (unclosed.includes('{{')) problems.push({ message: 'a {{ tag is not closed' });
  }
  for (const open of stack) problems.push({ message: `{{#${open}}} is not closed` });
  return problems;
}

/** Points the root-context lookups of a subject or text part at the unescaped values under `raw`. */
export function readRawValues(source: string): string {
  const scopes: boolean[] = [];
  return source.replace(TAG, (_whole, b1, t1, inner: string, t2, b2) => {
    const e = classify(inner);
    const atRoot = scopes.every((s) => !s);
    let rewritten = inner;
    if (atRoot && (e.kind === 'open' || e.kind === 'value' || e.kind === 'else')) {
      const body = e.body;
      let out = '';
      let last = 0;
      for (const p of e.params) {
        const seg = rootSegment(p.text);
        if (!seg || HELPERS.has(seg)) continue;
        const at = p.start + (p.text.includes('=') ? p.text.indexOf('=') + 1 : 0);
        out += `${body.slice(last, at)}${RESERVED}.`;
        last = at;
      }
      rewritten = `${inner.slice(0, e.bodyOffset)}${out}${body.slice(last)}${inner.slice(e.bodyOffset + body.length)}`;
    }
    if (e.kind === 'open') scopes.push(SCOPING.has(e.helper ?? ''));
    else if (e.kind === 'close') scopes.pop();
    return `{{${b1}${t1}${rewritten}${t2}${b2}}}`;
  });
}

/** Undoes readRawValues, so a marketer reads back what they wrote. */
export function hideRawValues(source: string): string {
  return source.replace(TAG, (_whole, b1, t1, inner: string, t2, b2) => {
    const cleaned = inner.replace(/(^|[\s(=])raw\./g, '$1');
    return `{{${b1}${t1}${cleaned}${t2}${b2}}}`;
  });
}
