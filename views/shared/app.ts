// The host side of every view: connect to the host over postMessage (MCP Apps), follow its theme, fonts and style
// variables, and hand each tool input / result to the view's renderer. Nothing here fetches anything.
import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface ViewHooks<R> {
  /** Draws a successful result; `args` are the tool arguments when the host sent them. */
  render(result: R, args: Record<string, unknown> | undefined, app: App): void;
}

function applyContext(ctx: McpUiHostContext | undefined): void {
  if (!ctx) return;
  if (ctx.theme) applyDocumentTheme(ctx.theme);
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
}

export function startView<R>(name: string, hooks: ViewHooks<R>): App {
  const root = byId('root');
  const app = new App({ name: `red-heart ${name} view`, version: '1' });
  let args: Record<string, unknown> | undefined;
  app.ontoolinput = (p) => {
    args = p.arguments as Record<string, unknown> | undefined;
  };
  app.ontoolresult = (r: CallToolResult) => {
    if (r.isError) {
      root.replaceChildren(el('p', { class: 'error', role: 'alert' }, textOf(r) || 'The tool reported an error.'));
      return;
    }
    if (!r.structuredContent) {
      root.replaceChildren(el('p', { class: 'muted' }, textOf(r)));
      return;
    }
    hooks.render(r.structuredContent as R, args, app);
  };
  app.ontoolcancelled = () => root.replaceChildren(el('p', { class: 'muted' }, 'The call was cancelled.'));
  app.onhostcontextchanged = (ctx) => applyContext(ctx);
  app.connect().then(
    () => applyContext(app.getHostContext()),
    (err: unknown) => {
      root.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Could not connect to the host: ${String(err)}`));
    },
  );
  return app;
}

export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the view`);
  return e;
}

type Child = Node | string | null | undefined | false;
/** A tiny element builder; text always goes in as text nodes (no HTML injection from results). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** A horizontal bar row (label, bar, value) for a `.bars` grid; `mark` tags the bar for tests and styling. */
export function barRow(
  label: string,
  fraction: number,
  value: string,
  opts: { color?: string; mark?: string; title?: string } = {},
): Node[] {
  const pct = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0)) * 100;
  const bar = el('div', {
    class: 'bar',
    'data-mark': opts.mark ?? 'bar',
    style: `width:${pct.toFixed(2)}%${opts.color ? `;background:${opts.color}` : ''}`,
  });
  // The label and value are text beside the bar, so screen readers read them; the bar itself is decoration.
  const track = el(
    'div',
    { class: 'bar-track', 'aria-hidden': 'true', title: opts.title ?? `${label}: ${value}` },
    bar,
  );
  return [el('span', {}, label), track, el('span', { class: 'num' }, value)];
}

export const fmt = (x: number, digits = 3): string =>
  Number.isFinite(x) ? Number(x.toFixed(digits)).toString() : String(x);
export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)} %`;

/** Diverging colour for v in [−1, 1]: red (negative) … neutral … green (positive), as an rgba over the page. */
export function valenceColor(v: number): string {
  const a = Math.min(1, Math.abs(v)) * 0.55;
  return v >= 0 ? `rgba(46, 160, 67, ${a.toFixed(3)})` : `rgba(218, 54, 51, ${a.toFixed(3)})`;
}
