// The README's analyze_corpus example: 2,000 Naver movie reviews from 2015 (NSMC raw crawl, CC0), grouped by star
// rating band, by month, through the real stdio server and MCP client. Prints the tool's text answer and writes the
// report; docs/corpus-report.png is the browser test's screenshot of that report.
//   tar -xJf ../shared/data/nsmc_raw/nsmc_raw.tar.xz -C /tmp/nsmc
//   node dist/bench/corpus-demo.js --raw /tmp/nsmc/raw --dir /tmp/corpus-demo
//   REPORT_HTML=/tmp/corpus-demo/nsmc-2015.jsonl.report.html REPORT_SCREENSHOT=docs/corpus-report.png \
//     npx vitest run test/tools/corpus/report.browser.test.ts
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { arg } from '../eval/args.js';
import { packageRoot } from '../src/server/config.js';

const ROOT = packageRoot();

interface Review {
  review: string;
  date: string;
  rating: string;
}

const band = (rating: number) => (rating <= 4 ? '1-4 stars' : rating <= 8 ? '5-8 stars' : '9-10 stars');

async function main(): Promise<void> {
  const raw = resolve(arg('raw', '/tmp/nsmc/raw')!);
  const dir = resolve(arg('dir', '/tmp/corpus-demo')!);
  const rows = Number(arg('rows', '2000'));
  mkdirSync(dir, { recursive: true });
  // Movie files in numeric order; reviews dated 2015 (the crawl's last year), until `rows`.
  const files = readdirSync(raw)
    .filter((f) => /^\d+\.json$/.test(f))
    .sort((a, b) => parseInt(a) - parseInt(b));
  const out: string[] = [];
  for (const f of files) {
    for (const r of JSON.parse(readFileSync(join(raw, f), 'utf8')) as Review[]) {
      if (!r.date.startsWith('15.') || !r.review.trim()) continue;
      const [yy, mm, dd] = r.date.split('.');
      out.push(
        JSON.stringify({
          review: r.review,
          date: `20${yy}-${mm}-${dd}`,
          rating: Number(r.rating),
          band: band(Number(r.rating)),
        }),
      );
      if (out.length === rows) break;
    }
    if (out.length === rows) break;
  }
  const file = join(dir, 'nsmc-2015.jsonl');
  writeFileSync(file, `${out.join('\n')}\n`);

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'dist/src/server/cli.js'), '--data-dir', dir, '--cache', 'none', '--log-level', 'warn'],
    stderr: 'inherit',
  });
  const client = new Client({ name: 'corpus-demo', version: '1' });
  await client.connect(transport);
  try {
    const args = { path: file, text_field: 'review', group_field: 'band', time_field: 'date', time_bucket: 'month' };
    process.stdout.write(`${JSON.stringify(args)}\n`);
    const t0 = performance.now();
    const res = await client.callTool({ name: 'analyze_corpus', arguments: args }, undefined, { timeout: 3_600_000 });
    process.stdout.write(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    for (const c of res.content as Array<{ type: string; text?: string; uri?: string; mimeType?: string }>) {
      process.stdout.write(c.type === 'text' ? `${c.text}\n` : `${c.type}: ${c.uri} (${c.mimeType})\n`);
    }
    const s = res.structuredContent as { summary: { group_differences: unknown[] } } | undefined;
    if (s) process.stdout.write(`${JSON.stringify(s.summary.group_differences, null, 1)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
