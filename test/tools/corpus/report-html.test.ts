import { describe, expect, it } from 'vitest';
import { CorpusAggregator } from '../../../src/analysis/corpus/aggregate.js';
import { escapeHtml, renderReport, type ReportData } from '../../../src/tools/corpus/report-html.js';

function data(over: Partial<ReportData> = {}): ReportData {
  const agg = new CorpusAggregator();
  agg.add({
    row: 1,
    language: 'en',
    taxonomy: 'goemotions',
    detected: [{ label: 'joy', score: 0.9 }],
    ekman: 'joy',
    sentiment: 'positive',
    valence: 0.5,
    arousal: 0.4,
    group: '<script>alert(1)</script>',
    bucket: '2024-01',
    excerpt: '"quoted" & <b>bold</b>',
  });
  agg.add({
    row: 2,
    language: 'en',
    taxonomy: 'goemotions',
    detected: [],
    ekman: 'neutral',
    sentiment: 'neutral',
    valence: 0,
    arousal: 0.2,
    group: 'B',
    bucket: '2024-02',
    excerpt: 'plain',
  });
  return {
    file: '/d/x.csv',
    generatedAt: 't',
    complete: true,
    stopReason: null,
    model: { id: 'm', version: '1', sha256: 'abc' },
    thresholds: { kind: 'single', value: 0.4 },
    settings: { text_field: 'text' },
    counts: { rows_read: 2, rows_analysed: 2, rows_cached: 0, skipped: {}, blank_lines: 0 },
    malformed: [],
    summary: agg.summary(),
    ...over,
  };
}

describe('renderReport', () => {
  it('is self-contained: a CSP that forbids fetching, no script, no external URL', () => {
    const html = renderReport(data());
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const urls = html.match(/https?:\/\/[^\s"']+/g) ?? [];
    expect(urls.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
  });
  it('escapes every value from the data', () => {
    const html = renderReport(data());
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
  it('says when the result is partial, and shows the threshold used', () => {
    const html = renderReport(data({ complete: false, stopReason: 'cancelled by the client' }));
    expect(html).toContain('Partial result: cancelled by the client');
    expect(html).toContain('One decision threshold for every label: 0.4');
  });
  it('one mark per label, Ekman class, bucket and group', () => {
    const html = renderReport(data());
    const figure = (name: string) =>
      html.slice(html.indexOf(`data-chart="${name}"`), html.indexOf('</figure>', html.indexOf(`data-chart="${name}"`)));
    expect(figure('labels-goemotions').match(/class="bar"/g)).toHaveLength(1);
    expect(figure('ekman').match(/class="bar"/g)).toHaveLength(7);
    expect(figure('valence-time').match(/class="point"/g)).toHaveLength(2);
    expect(figure('groups').match(/class="bar"/g)).toHaveLength(2);
  });
});
