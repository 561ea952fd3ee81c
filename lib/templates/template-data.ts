const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Handlebars' own escaping: safe in element content and in quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"'`=]/g, (c) => ENTITIES[c]);

// Control characters have no business in a name or a product title, and break headers.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// A line break in a value would end the Subject header and start another (`Bcc: …`): every
// break (CR, LF, NEL, the Unicode separators) becomes one space, in every part.
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;

/** A value as a template may show it: one line, no control characters. */
export const oneLine = (value: string): string => value.replace(LINE_BREAKS, ' ').replace(CONTROL, '');

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(oneLine(value));
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

/**
 * The TemplateData for SES. SES does not HTML-escape (its docs say so, and aws-ses-v2-local
 * matches), so every string at the root is escaped here: the html part can never carry a
 * customer's `<script>`. The subject and text parts read the originals from `raw` (they are
 * rewritten to do so when the template is stored). Every string, in both, is one line.
 */
export function templateData(variables: Record<string, unknown>): Record<string, unknown> {
  const { raw: _reserved, ...vars } = variables;
  return {
    ...(mapStrings(vars, escapeHtml) as Record<string, unknown>),
    raw: mapStrings(vars, (s) => s),
  };
}
