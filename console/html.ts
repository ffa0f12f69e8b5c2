// HTML for the console's server-rendered pages: a tagged template that escapes every interpolated
// value unless it is marked as already-safe markup, and the one page layout with its small CSS.

/** Markup that is already safe (built by `html` or a trusted renderer such as Vega's SVG). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${value}</td>\``: strings and numbers are escaped; SafeHtml and arrays of it are kept. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Trusted markup as is: only for SVG that a renderer of ours produced. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A path segment for a link: percent-encoded, then escaped by `html`. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/** A number as a person reads it: up to 4 significant digits, integers as they are. */
export function num(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
}

/** An ISO time shown short (UTC): `2026-12-03 12:42:45`. */
export function time(value: string | undefined | null): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, '');
}

/** A state as a coloured badge (the class names the state family). */
export function badge(state: string | undefined): SafeHtml {
  const s = state ?? 'UNKNOWN';
  const family = /FAIL|ERROR|ABORT|REJECT|DEGRADED|CANCEL/i.test(s) ? 'bad' : /SUCCE|PROMOTED|PASS|Successful|APPROVED/i.test(s) ? 'good' : /RUNNING|PROGRESS|PENDING|QUEUED|PROMOTING|ABORTING/i.test(s) ? 'busy' : 'idle';
  return html`<span class="badge ${family}">${s}</span>`;
}

/** A "not available" notice: the API or Google call that would have filled the section said why not. */
export function notAvailable(what: string, why: string): SafeHtml {
  return html`<p class="na">${what} not available: ${why}</p>`;
}

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

const CSS = `
body{font:14px/1.45 system-ui,Helvetica,Arial,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none;font-weight:600}
nav.crumbs{font-size:13px;margin-top:4px}nav.crumbs a{font-weight:400;opacity:.85}
main{padding:16px 24px;max-width:1280px}
h1{font-size:22px;margin:8px 0 12px}h2{font-size:17px;margin:22px 0 8px}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d8dde3;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef1f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.best td{background:#e6f4ea;font-weight:600}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600}
.good{background:#d7f0dd;color:#135c26}.bad{background:#fbd9d7;color:#8a1c14}.busy{background:#fdf0c6;color:#6b5200}.idle{background:#e3e7ec;color:#3b4654}
.na{color:#6b7480;font-style:italic}.plot{background:#fff;border:1px solid #d8dde3;display:inline-block;margin:6px 8px 6px 0;padding:4px}
.plot svg{max-width:100%;height:auto}ul.links{padding-left:18px}code{font-size:12px}
pre.log{background:#111;color:#ddd;padding:8px;max-height:320px;overflow:auto;font-size:12px}
`;

/** What a page may load: nothing but its inline style and data: images; no script at all. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** A link, or the label as text where there is nothing to link to (`href` undefined). */
export function link(href: string | undefined, label: Interpolation): SafeHtml {
  return href === undefined ? html`${label}` : html`<a href="${href}">${label}</a>`;
}

/**
 * The whole page: title, breadcrumbs, body. `csp: true` puts PAGE_CSP in the document itself, for
 * a file opened from disk (the static report), where no server sends the header.
 */
export function page(title: string, crumbs: readonly Crumb[], body: SafeHtml, options: { home?: string; csp?: boolean } = {}): string {
  const home = options.home ?? '/';
  const trail = crumbs.map((c) => (c.href ? html` › <a href="${c.href}">${c.label}</a>` : html` › ${c.label}`));
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">${options.csp ? html`<meta http-equiv="Content-Security-Policy" content="${trusted(PAGE_CSP)}">` : ''}<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · MLOps console</title><style>${trusted(CSS)}</style></head>
<body><header><a href="${home}">MLOps console</a><nav class="crumbs"><a href="${home}">models</a>${trail}</nav></header>
<main><h1>${title}</h1>
${body}
</main></body></html>
`.value;
}
