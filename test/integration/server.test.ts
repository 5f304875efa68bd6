// The built server over stdio, as Claude Desktop runs it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, startServer, type RunningServer } from './harness.js';
import { serverEnv } from '../helpers/env.js';
import { initializeRequest, INITIALIZED } from '../helpers/json-rpc.js';
import { TOOL_NAMES } from '../helpers/tool-names.js';

/** Tools that write files (analyze_corpus writes its JSONL and report): not read-only. */
const WRITES_FILES = new Set(['analyze_corpus']);

describe('stdio server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists exactly the seven tools, each with input and output schemas, title and annotations', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.title).toBeTruthy();
      expect(tool.description?.length).toBeGreaterThan(40);
      expect(tool.annotations).toMatchObject({
        readOnlyHint: !WRITES_FILES.has(tool.name),
        idempotentHint: true,
        destructiveHint: WRITES_FILES.has(tool.name),
        openWorldHint: false,
      });
    }
  });

  it('answers bad arguments with isError naming the field, and keeps serving', async () => {
    const bad = await server.client.callTool({ name: 'regret_forecast', arguments: { options: 'not a list' } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/options/);
    const tooLong = await server.client.callTool({ name: 'analyze_emotion', arguments: { text: 'x'.repeat(20_001) } });
    expect(tooLong.isError).toBe(true);
    expect(JSON.stringify(tooLong.content)).toMatch(/20000/);
    const unknown = await server.client.callTool({ name: 'no_such_tool', arguments: {} });
    expect(unknown.isError).toBe(true);
    const { tools } = await server.client.listTools();
    expect(tools).toHaveLength(TOOL_NAMES.length);
  });

  it('exposes a status resource with version, engine and cache state', async () => {
    const res = await server.client.readResource({ uri: 'red-heart://status' });
    const status = JSON.parse((res.contents[0] as { text: string }).text);
    expect(status.name).toBe('red-heart-mcp');
    expect(status.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.cache.backend).toBe('memory');
    expect(status).toHaveProperty('engine');
    expect(status.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it('logs to stderr as JSON lines', () => {
    const lines = server.stderr().trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(() => lines.map((l) => JSON.parse(l))).not.toThrow();
  });
});

describe('stdout discipline', () => {
  it('writes nothing but JSON-RPC messages to stdout', async () => {
    const child = spawn(process.execPath, [CLI], { cwd: ROOT, env: serverEnv({ RED_HEART_LOG_LEVEL: 'debug' }) });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send(initializeRequest(1, 't'));
    send(INITIALIZED);
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'bentham_score', arguments: { parties: 'bad' } },
    });
    send({ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'red-heart://status' } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to id 4; stdout so far: ${stdout.slice(0, 500)}`)),
        30_000,
      );
      child.stdout.on('data', () => {
        if (stdout.includes('"id":4')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    const lines = stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBe(4);
    for (const line of lines) expect(JSON.parse(line).jsonrpc).toBe('2.0');
  });
});

describe('configuration errors', () => {
  it('exits with status 2 and a clear message on bad configuration', async () => {
    const child = spawn(process.execPath, [CLI, '--provider', 'tpu'], { cwd: ROOT, env: serverEnv() });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('--provider / RED_HEART_PROVIDER');
  });
});
