// Opens the HTML report in headless Chromium, screenshots it, and checks that every chart rendered: the SVG marks
// in the DOM match the data, each chart region has painted pixels in the chart's colours, the page made no
// network request, and the console stayed clean. Chromium missing: skipped with the reason, except under CI=true
// where it fails (.ci/run installs the Debian package `chromium`).
// REPORT_HTML=/path/report.html checks an existing report instead of the synthetic one; REPORT_SCREENSHOT=/path.png
// keeps the full-page screenshot (docs/corpus-report.png was made that way from a real run).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CorpusAggregator, type RowFacts } from '../../../src/analysis/corpus/aggregate.js';
import { renderReport, type ReportData } from '../../../src/tools/corpus/report-html.js';
import { requirement } from '../../helpers/require.js';
import { Browser, decodePng, findChromium, type Image } from './cdp.js';

const chromium = findChromium();
const missing = requirement(
  'HTML report in headless Chromium',
  chromium ? null : 'chromium not found (the Debian package chromium, or set CHROMIUM_PATH)',
  'chromium',
);
const dir = mkdtempSync(join(tmpdir(), 'corpus-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LABELS = ['joy', 'anger', 'sadness', 'fear', 'love', 'gratitude', 'annoyance', 'curiosity'];
const GROUPS = ['support', 'sales', 'billing'];
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05'];

function syntheticRows(): RowFacts[] {
  const out: RowFacts[] = [];
  for (let i = 1; i <= 300; i++) {
    const l = LABELS[i % LABELS.length];
    out.push({
      row: i,
      language: 'en',
      taxonomy: 'goemotions',
      detected: [{ label: l, score: 0.4 + (i % 50) / 100 }],
      ekman: (['joy', 'anger', 'sadness', 'fear', 'neutral', 'surprise', 'disgust'] as const)[i % 7],
      sentiment: (['positive', 'negative', 'neutral', 'ambiguous'] as const)[i % 4],
      valence: Math.sin(i / 9) * 0.7,
      arousal: (i % 10) / 10,
      group: GROUPS[i % 3],
      bucket: MONTHS[Math.floor((i - 1) / 60)],
      excerpt: `example <b>text</b> ${i}`,
    });
  }
  return out;
}

function syntheticReport(): { html: string; expected: Record<string, number> } {
  const agg = new CorpusAggregator();
  syntheticRows().forEach((r) => agg.add(r));
  const data: ReportData = {
    file: '/data/tickets.csv',
    generatedAt: '2026-12-01T00:00:00Z',
    complete: true,
    stopReason: null,
    model: { id: 'red-heart-v1-int8', version: '1.3.0', sha256: 'e1f227657529' },
    thresholds: { kind: 'per-label', values: { goemotions: Object.fromEntries(LABELS.map((l) => [l, 0.3])) } },
    settings: { text_field: 'text', group_field: 'team', time_field: 'created', time_bucket: 'month' },
    counts: { rows_read: 302, rows_analysed: 300, rows_cached: 0, skipped: { malformed: 2 }, blank_lines: 0 },
    malformed: [{ row: 7, line: 8, reason: 'expected 3 fields (as in the header), found 2' }],
    summary: agg.summary(),
  };
  // Expected marks from the inputs above, not from the renderer: one bar per label, per Ekman class and per group,
  // one point per month.
  return {
    html: renderReport(data),
    expected: { 'labels-goemotions': LABELS.length, ekman: 7, 'valence-time': MONTHS.length, groups: GROUPS.length },
  };
}

/** Share of pixels in the image close to an RGB colour. */
function colourShare(img: Image, [r, g, b]: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4)
    if (Math.abs(img.rgba[i] - r) + Math.abs(img.rgba[i + 1] - g) + Math.abs(img.rgba[i + 2] - b) <= tol) n++;
  return n / (img.width * img.height);
}

function nonWhiteShare(img: Image): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4)
    if (img.rgba[i] < 235 || img.rgba[i + 1] < 235 || img.rgba[i + 2] < 235) n++;
  return n / (img.width * img.height);
}

const CHART_COLOURS: Record<string, Array<[number, number, number]>> = {
  labels: [[0x4e, 0x79, 0xa7]],
  ekman: [[0x4e, 0x79, 0xa7]],
  'valence-time': [[0xf2, 0x8e, 0x2b]],
  groups: [
    [0x59, 0xa1, 0x4f],
    [0xe1, 0x57, 0x59],
  ],
};

describe('HTML report in headless Chromium', () => {
  it.skipIf(missing !== null)('renders every chart, makes no network request, keeps the console clean', async () => {
    if (!chromium) throw new Error('unreachable: skipped above when chromium is missing');
    let file = process.env.REPORT_HTML;
    let expected: Record<string, number> | null = null;
    if (!file) {
      const r = syntheticReport();
      file = join(dir, 'report.html');
      writeFileSync(file, r.html);
      expected = r.expected;
    }
    const url = pathToFileURL(file).href;
    const browser = await Browser.launch(chromium);
    try {
      const session = await browser.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      browser.on((method, params, s) => {
        if (s !== session) return;
        if (method === 'Network.requestWillBeSent') requests.push(params.request.url);
        if (method === 'Log.entryAdded') problems.push(`${params.entry.level}: ${params.entry.text}`);
        if (method === 'Runtime.exceptionThrown') problems.push(params.exceptionDetails.text);
      });
      await browser.send('Network.enable', {}, session);
      await browser.send('Log.enable', {}, session);
      await browser.send('Runtime.enable', {}, session);
      await browser.send('Page.enable', {}, session);
      await browser.send(
        'Emulation.setDeviceMetricsOverride',
        { width: 1024, height: 900, deviceScaleFactor: 1, mobile: false },
        session,
      );
      const loaded = browser.waitFor('Page.loadEventFired', session);
      await browser.send('Page.navigate', { url }, session);
      await loaded;

      const { result } = await browser.send(
        'Runtime.evaluate',
        {
          returnByValue: true,
          expression: `JSON.stringify([...document.querySelectorAll('figure[data-chart]')].map((f) => {
          const r = f.getBoundingClientRect();
          return { chart: f.dataset.chart, declared: Number(f.dataset.marks), bars: f.querySelectorAll('svg .bar').length,
            points: f.querySelectorAll('svg .point').length, svgs: f.querySelectorAll('svg').length,
            x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
        }).concat([{ chart: '#page', height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth }]))`,
        },
        session,
      );
      const figures = JSON.parse(result.value) as Array<{
        chart: string;
        declared: number;
        bars: number;
        points: number;
        svgs: number;
        x: number;
        y: number;
        width: number;
        height: number;
      }>;
      const page = figures.pop() as { width: number; height: number };
      expect(figures.length).toBeGreaterThanOrEqual(3);

      for (const f of figures) {
        const kind = f.chart.startsWith('labels') ? 'labels' : f.chart;
        const marks = kind === 'valence-time' ? f.points : f.bars;
        if (expected) expect(marks, `${f.chart}: marks vs the data`).toBe(expected[f.chart]);
        if (f.declared === 0) {
          // an empty chart (e.g. no label reached its threshold) is a sentence, not an SVG
          expect(f.svgs, f.chart).toBe(0);
          continue;
        }
        expect(f.svgs, f.chart).toBe(1);
        expect(marks, `${f.chart}: marks in the DOM vs data-marks`).toBe(f.declared);
        expect(f.width * f.height, f.chart).toBeGreaterThan(100 * 100);
        const shot = await browser.send(
          'Page.captureScreenshot',
          {
            format: 'png',
            captureBeyondViewport: true,
            clip: { x: f.x, y: f.y, width: f.width, height: f.height, scale: 1 },
          },
          session,
        );
        const img = decodePng(Buffer.from(shot.data, 'base64'));
        expect(img.width).toBe(Math.round(f.width));
        expect(nonWhiteShare(img), `${f.chart}: painted pixels`).toBeGreaterThan(0.01);
        const coloured = Math.max(...CHART_COLOURS[kind].map((c) => colourShare(img, c)));
        expect(coloured, `${f.chart}: pixels in the chart's mark colour`).toBeGreaterThan(0.003);
      }
      if (expected) expect(figures.map((f) => f.chart).sort()).toEqual(Object.keys(expected).sort());

      const full = await browser.send(
        'Page.captureScreenshot',
        {
          format: 'png',
          captureBeyondViewport: true,
          clip: { x: 0, y: 0, width: page.width, height: page.height, scale: 1 },
        },
        session,
      );
      const png = Buffer.from(full.data, 'base64');
      expect(decodePng(png).height).toBe(page.height);
      if (process.env.REPORT_SCREENSHOT) writeFileSync(process.env.REPORT_SCREENSHOT, png);

      expect(requests, 'network requests').toEqual([url]);
      expect(problems, 'console / CSP messages').toEqual([]);
      // Escaping: the excerpt markup is shown as text, not parsed.
      if (expected) expect(readFileSync(file, 'utf8')).toContain('example &lt;b&gt;text&lt;/b&gt;');
    } finally {
      await browser.close();
    }
  });
});
