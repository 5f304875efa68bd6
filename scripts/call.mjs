// Calls one tool on the built server over stdio and prints its structured result (for docs and manual checks).
// Usage: node scripts/call.mjs <tool> '<json arguments>'
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [tool, json = '{}'] = process.argv.slice(2);
const transport = new StdioClientTransport({
  command: process.execPath,
  args: ['dist/src/server/cli.js'],
  env: { ...process.env, RED_HEART_CACHE: 'memory', RED_HEART_LOG_LEVEL: 'warn' },
  stderr: 'inherit',
});
const client = new Client({ name: 'call', version: '0' });
await client.connect(transport);
const r = await client.callTool({ name: tool, arguments: JSON.parse(json) });
console.log(r.content?.[0]?.text);
console.log(JSON.stringify(r.structuredContent ?? r, null, 1));
await client.close();
