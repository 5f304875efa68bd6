// Spawns the BUILT server (dist/src/server/cli.js) over stdio with the SDK client, as an MCP host would.
// `npm test` builds first; run `npm run build` before `npx vitest` by hand.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { serverEnv } from '../helpers/env.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(ROOT, 'dist/src/server/cli.js');

export interface RunningServer {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr so far (its logs). */
  stderr(): string;
  close(): Promise<void>;
}

export async function startServer(
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<RunningServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does it)`);
  const env = serverEnv(options.env);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...(options.args ?? [])],
    env,
    stderr: 'pipe',
    cwd: ROOT,
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'red-heart-test', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    close: () => client.close(),
  };
}
