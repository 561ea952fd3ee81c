/** What TestRenderEmailTemplate returns, taken apart: SES answers with a whole MIME message. */
export interface RenderedEmail {
  subject: string;
  html: string | null;
  text: string | null;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

const param = (header: string | undefined, name: string): string | undefined => {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header ?? '');
  return m?.[1];
};

function decodeBytes(bytes: Uint8Array, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function quotedPrintable(text: string, underscoreIsSpace = false): Uint8Array {
  const src = (underscoreIsSpace ? text.replace(/_/g, ' ') : text).replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, charset: string, enc: string, data: string) =>
      decodeBytes(
        enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : quotedPrintable(data, true),
        charset,
      ),
    );
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = param(part.headers.get('content-type'), 'charset') ?? 'utf-8';
  if (encoding === 'base64')
    return decodeBytes(Buffer.from(part.body.replace(/\s+/g, ''), 'base64'), charset);
  if (encoding === 'quoted-printable') return decodeBytes(quotedPrintable(part.body), charset);
  return part.body;
}

function collect(part: Part, out: RenderedEmail): void {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(part.headers.get('content-type'), 'boundary');
    if (!boundary) return;
    const sections = part.body.split(`--${boundary}`);
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      collect(splitPart(section.replace(/^\n/, '')), out);
    }
    return;
  }
  const text = decodeBody(part).replace(/\n$/, '');
  if (type.startsWith('text/html')) out.html ??= text;
  else if (type.startsWith('text/plain')) out.text ??= text;
}

/** Subject, html and text of a rendered message (multipart or single part). */
export function parseRenderedEmail(message: string): RenderedEmail {
  const root = splitPart(message);
  const out: RenderedEmail = {
    subject: decodeHeader(root.headers.get('subject') ?? ''),
    html: null,
    text: null,
  };
  collect(root, out);
  return out;
}
