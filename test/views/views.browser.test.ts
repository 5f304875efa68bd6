// Renders each MCP Apps view in headless Chromium from a recorded tool result, through test/views/host.ts (the host
// side of the protocol, ext-apps' AppBridge). Checks: a non-blank screenshot, the number of chart marks the result
// implies, no console errors, no network requests; the regret view's probability control calls the real tool (the
// built stdio server) and shows the choice the tool returns. UPDATE_VIEW_SCREENSHOTS=1 writes docs/views/<tool>.png.
// Needs `npm run build` (dist/views) and Chromium (/usr/bin/chromium or CHROMIUM_PATH); when CI=true a missing
// browser fails the suite instead of skipping it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script shared with the recorder
import { startServer } from '../../scripts/record-calls.mjs';
import { requirement } from '../helpers/require.js';
import { ROOT } from '../integration/harness.js';
import { VIEW_TOOLS } from '../helpers/tool-names.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_BROWSER =
  requirement(
    'MCP Apps views in headless Chromium',
    existsSync(CHROMIUM)
      ? null
      : `Chromium not found at ${CHROMIUM} (the Debian package chromium, or set CHROMIUM_PATH)`,
    'chromium',
  ) === null;
const ORIGIN = 'http://view-host.test';

interface Fixture {
  tool: string;
  args: Record<string, unknown>;
  result: { content: unknown[]; structuredContent: Record<string, any> };
}
const fixture = (tool: string): Fixture =>
  JSON.parse(readFileSync(resolve(ROOT, `test/fixtures/views/${tool}.json`), 'utf8'));

interface Opened {
  page: Page;
  frame: ReturnType<Page['frameLocator']>;
  errors: string[];
  requests: string[];
  calls: Array<Record<string, unknown>>;
}

describe.skipIf(!HAVE_BROWSER)('MCP Apps views in headless Chromium', () => {
  let context: BrowserContext;
  let hostJs: string;
  let server: { callTool(p: unknown): Promise<unknown>; close(): Promise<void> };
  let profile: string;

  beforeAll(async () => {
    for (const t of VIEW_TOOLS) {
      if (!existsSync(resolve(ROOT, `dist/views/${t}.html`)))
        throw new Error('dist/views is missing: run `npm run build` first');
    }
    hostJs = (
      await build({
        entryPoints: [resolve(ROOT, 'test/views/host.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        logLevel: 'warning',
      })
    ).outputFiles[0].text;
    profile = mkdtempSync(join(tmpdir(), 'rh-views-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 480, height: 1000 },
    });
    server = await startServer({});
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(tool: string, theme: 'light' | 'dark', width = 460, f: Fixture = fixture(tool)): Promise<Opened> {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    const calls: Array<Record<string, unknown>> = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${ORIGIN}/`)) requests.push(r.url());
    });
    // The host page is served from a made-up origin; every other URL is refused (and recorded above).
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/`)
        return route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body style="margin:0"></body></html>',
        });
      if (url === `${ORIGIN}/host.js`) return route.fulfill({ contentType: 'text/javascript', body: hostJs });
      return route.abort();
    });
    await page.exposeFunction('__callTool', async (params: { name: string; arguments: Record<string, unknown> }) => {
      calls.push(params.arguments);
      return server.callTool(params);
    });
    await page.goto(`${ORIGIN}/`);
    await page.addScriptTag({ url: `${ORIGIN}/host.js` });
    const html = readFileSync(resolve(ROOT, `dist/views/${tool}.html`), 'utf8');
    await page.evaluate((c) => window.startHost(c as never), {
      html,
      input: f.args,
      result: f.result,
      theme,
      width,
    } as const);
    const frame = page.frameLocator('#view');
    await frame.locator('section.card').first().waitFor({ timeout: 15_000 });
    return { page, frame, errors, requests, calls };
  }

  /** Share of the screenshot's pixels that differ from its most common colour (0 = blank). */
  async function inkShare(page: Page, png: Buffer): Promise<number> {
    return page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < d.length; i += 4) {
        const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const most = Math.max(...counts.values());
      return 1 - most / (d.length / 4);
    }, png.toString('base64'));
  }

  /** WCAG contrast ratio of each element's text colour against the page background, lowest first. */
  async function contrasts(o: Opened, selector: string): Promise<number[]> {
    return o.frame.locator('body').evaluate((body, sel) => {
      const lum = (c: string) => {
        const [r, g, b] = c
          .match(/[\d.]+/g)!
          .slice(0, 3)
          .map((x) => Number(x) / 255)
          .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const bg = lum(getComputedStyle(body).backgroundColor);
      return [...body.querySelectorAll(sel)]
        .map((e) => {
          const fg = lum(getComputedStyle(e).color);
          return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        })
        .sort((a, b) => a - b);
    }, selector);
  }

  async function checkAndShoot(o: Opened, tool: string): Promise<void> {
    // Text on the page background reaches WCAG AA (4.5:1), secondary text included; the host's font is used.
    const ratios = await contrasts(o, 'h1, h2, p, li, .muted, .num, label, dt, dd');
    expect(ratios.length).toBeGreaterThan(0);
    expect(ratios[0]).toBeGreaterThanOrEqual(4.5);
    expect(await o.frame.locator('body').evaluate((b) => getComputedStyle(b).fontFamily)).toContain('DejaVu Sans');
    const png = await o.page.locator('#view').screenshot();
    expect(await inkShare(o.page, png)).toBeGreaterThan(0.02);
    if (process.env.UPDATE_VIEW_SCREENSHOTS === '1') {
      mkdirSync(resolve(ROOT, 'docs/views'), { recursive: true });
      writeFileSync(resolve(ROOT, `docs/views/${tool}.png`), png);
    }
    expect(o.errors).toEqual([]);
    expect(o.requests).toEqual([]);
  }

  it('analyze_emotion: labels, Ekman profile, sentences by valence and explanation spans', async () => {
    const o = await open('analyze_emotion', 'light');
    const r = fixture('analyze_emotion').result.structuredContent.results[0];
    expect(await o.frame.locator('[data-mark=label]').count()).toBe(r.labels.length);
    expect(await o.frame.locator('[data-mark=ekman]').count()).toBe(7);
    expect(await o.frame.locator('[data-mark=sentence]').count()).toBe(r.sentences.length);
    const spans = r.explanation.labels.reduce((n: number, l: { spans: unknown[] }) => n + l.spans.length, 0);
    expect(await o.frame.locator('[data-mark=span]').count()).toBe(spans);
    // Each highlighted span is the text at its offsets in the input.
    const marked = await o.frame
      .locator('[data-mark=span]')
      .evaluateAll((ms) => ms.map((m) => m.firstChild?.textContent ?? ''));
    const expected = r.explanation.labels.flatMap((l: { spans: Array<{ text: string }> }) =>
      l.spans.map((x) => x.text),
    );
    expect(marked.sort()).toEqual(expected.sort());
    await checkAndShoot(o, 'analyze_emotion');
    await o.page.close();
  });

  it('analyze_emotion: the ✓ caption names the rule — thresholds for multi-label heads, the most probable label for CPED (zh)', async () => {
    const f = fixture('analyze_emotion');
    const base = f.result.structuredContent.results[0];
    expect(base.detected[0].threshold).toBeTypeOf('number');
    const caption = async (r: unknown) => {
      const o = await open('analyze_emotion', 'light', 460, {
        ...f,
        args: { text: f.args.text },
        result: { ...f.result, structuredContent: { ...f.result.structuredContent, results: [r] } },
      });
      const text = await o.frame.locator('p.small.muted').allTextContents();
      expect(o.errors).toEqual([]);
      await o.page.close();
      return text.join(' | ');
    };
    expect(await caption(base)).toContain('✓ = over its decision threshold');
    const top = base.labels[0];
    const argmax = { ...base, detected: [{ label: top.label, score: top.score, rule: 'argmax' }] };
    const shown = await caption(argmax);
    expect(shown).toContain('its most probable label');
    expect(shown).not.toContain('threshold');
  });

  it("analyze_emotion: today's output (no sentences, no explanation) renders labels and Ekman, in the dark theme", async () => {
    const f = fixture('analyze_emotion');
    const { sentences: _s, explanation: _e, ...r } = f.result.structuredContent.results[0];
    const o = await open('analyze_emotion', 'dark', 320, {
      ...f,
      args: { text: f.args.text },
      result: { ...f.result, structuredContent: { ...f.result.structuredContent, results: [r] } },
    });
    expect(await o.frame.locator('[data-mark=label]').count()).toBe(r.labels.length);
    expect(await o.frame.locator('[data-mark=ekman]').count()).toBe(7);
    expect(await o.frame.locator('[data-mark=sentence], [data-mark=span]').count()).toBe(0);
    // The host's theme reaches the view: dark background, light text.
    const [bg, fg] = await o.frame
      .locator('body')
      .evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
    const lum = (c: string) =>
      c
        .match(/\d+/g)!
        .slice(0, 3)
        .map(Number)
        .reduce((a, x) => a + x, 0) / 3;
    expect(lum(bg)).toBeLessThan(80);
    expect(lum(fg)).toBeGreaterThan(180);
    // A theme change from the host (ui/notifications/host-context-changed) switches the view to light.
    await o.page.evaluate(() => window.setTheme('light'));
    await expect
      .poll(() => o.frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor))
      .toBe('rgb(255, 255, 255)');
    // Narrow width: nothing wider than the frame.
    expect(await o.frame.locator('body').evaluate((b) => b.scrollWidth <= b.clientWidth + 1)).toBe(true);
    expect(o.errors).toEqual([]);
    expect(o.requests).toEqual([]);
    await o.page.close();
  });

  it('surd_decompose: one bar per component with its p-value, the stacked R/U/S/leak bar, the surrogate count', async () => {
    const o = await open('surd_decompose', 'light');
    const s = fixture('surd_decompose').result.structuredContent;
    const comps = [...s.redundant, ...s.unique, ...s.synergistic] as Array<{ p_value: number }>;
    expect(await o.frame.locator('[data-mark=component]').count()).toBe(comps.length);
    expect(await o.frame.locator('[data-mark=stack]').count()).toBe(4);
    // The value column of each bar row ends with the component's p-value (3 decimals, as the view prints it).
    const values = await o.frame.locator('.bars .num').allInnerTexts();
    expect(values.map((v) => v.split(' · p ')[1])).toEqual(
      comps.map((c) => (c.p_value < 0.001 ? '< 0.001' : String(Number(c.p_value.toFixed(3))))),
    );
    expect(
      await o.frame.getByText(`p-values from ${s.significance.surrogates} circular-shift surrogates per set`).count(),
    ).toBe(1);
    await checkAndShoot(o, 'surd_decompose');
    await o.page.close();
  });

  it('surd_decompose: a result without significance shows no p-values', async () => {
    const f = structuredClone(fixture('surd_decompose'));
    const sc = f.result.structuredContent;
    delete sc.significance;
    for (const k of ['redundant', 'unique', 'synergistic'])
      for (const c of sc[k]) {
        delete c.p_value;
        delete c.surrogate_mean;
      }
    const o = await open('surd_decompose', 'light', 460, f);
    expect(await o.frame.locator('[data-mark=component]').count()).toBe(
      sc.redundant.length + sc.unique.length + sc.synergistic.length,
    );
    expect(await o.frame.getByText(/ p [<0-9]|surrogates/).count()).toBe(0);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('regret_forecast: heatmaps, recommendations, flip intervals; the probability control re-runs the tool', async () => {
    const f = fixture('regret_forecast');
    const s = f.result.structuredContent;
    const o = await open('regret_forecast', 'dark');
    const cells = s.utilities.length * s.utilities[0].length;
    expect(await o.frame.locator('[data-mark=cell]').count()).toBe(2 * cells);
    expect(await o.frame.locator('[data-mark=rec]').count()).toBe(Object.keys(s.recommendations).length);
    const intervals = s.sensitivity.probability.regret_averse.two_scenario.intervals as Array<{
      from: number;
      to: number;
      winners: string[];
    }>;
    expect(await o.frame.locator('[data-mark=interval]').count()).toBe(intervals.length);
    await checkAndShoot(o, 'regret_forecast');

    // Keyboard: Home puts P(first scenario) at 0; the view calls regret_forecast with (0, 1) and shows its choice.
    const choice = o.frame.getByTestId('choice');
    const slider = o.frame.getByLabel('probability');
    await slider.focus();
    await slider.press('Home');
    const at0 = intervals.find((iv) => iv.from === 0)!.winners.join(' = ');
    await expect.poll(() => choice.innerText(), { timeout: 10_000 }).toContain(at0);
    const last = o.calls.at(-1) as { scenarios: Array<{ probability: number }> };
    expect(last.scenarios.map((x) => x.probability)).toEqual([0, 1]);
    // The choice shown is the one the tool returns for those probabilities (asked here directly).
    const direct = (await server.callTool({ name: 'regret_forecast', arguments: last })) as {
      structuredContent: { recommendations: { regret_averse: string[] } };
    };
    expect(await choice.innerText()).toContain(direct.structuredContent.recommendations.regret_averse.join(' = '));

    // Past the flip point between the first two intervals the choice changes again.
    const flip = intervals[1];
    await slider.fill(String(Math.round(((flip.from + flip.to) / 2) * 100) / 100));
    await expect.poll(() => choice.innerText(), { timeout: 10_000 }).toContain(flip.winners.join(' = '));
    expect(o.calls.length).toBeGreaterThanOrEqual(2);
    expect(o.errors).toEqual([]);
    expect(o.requests).toEqual([]);
    await o.page.close();
  });

  it('analyze_conversation: valence and arousal lines per speaker, shift markers, the influence table', async () => {
    const f = fixture('analyze_conversation');
    const s = f.result.structuredContent;
    const o = await open('analyze_conversation', 'light');
    const points = Object.values(s.speakers as Record<string, { trajectory: unknown[] }>).reduce(
      (n, sp) => n + sp.trajectory.length,
      0,
    );
    expect(await o.frame.locator('[data-mark=point]').count()).toBe(2 * points);
    const shiftMarks = ['valence', 'arousal'].reduce(
      (n, d) =>
        n +
        s.shifts.filter((x: { triggers: Array<{ dimension: string }> }) => x.triggers.some((t) => t.dimension === d))
          .length,
      0,
    );
    expect(await o.frame.locator('[data-mark=shift]').count()).toBe(shiftMarks);
    expect(await o.frame.locator('[data-mark=influence]').count()).toBe(s.influence.pairs.length);
    await checkAndShoot(o, 'analyze_conversation');
    await o.page.close();
  });

  it('analyze_corpus: Ekman and sentiment shares, valence by time bucket and group, group differences', async () => {
    const s = fixture('analyze_corpus').result.structuredContent.summary;
    const o = await open('analyze_corpus', 'light');
    expect(await o.frame.locator('[data-mark=share]').count()).toBe(
      s.overall.ekman.length + s.overall.sentiment.length,
    );
    expect(await o.frame.locator('[data-mark=bucket]').count()).toBe(
      s.time.filter((t: { valence: unknown }) => t.valence).length,
    );
    expect(await o.frame.locator('[data-mark=group]').count()).toBe(
      s.groups.filter((g: { valence: unknown }) => g.valence).length,
    );
    expect(await o.frame.locator('[data-mark=difference]').count()).toBe(
      s.group_differences.filter((d: { valence: unknown }) => d.valence).length,
    );
    await checkAndShoot(o, 'analyze_corpus');
    await o.page.close();
  });
});
