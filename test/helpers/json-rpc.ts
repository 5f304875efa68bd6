// The messages a test that speaks raw JSON-RPC to the server (stdio lines, HTTP bodies) opens a session with.

/** The initialize request: protocol 2025-06-18, no client capabilities; `client` names the client in the logs. */
export function initializeRequest(id: number | string = 1, client = 'test') {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: client, version: '0' } },
  };
}

/** The notification a client sends once initialize has been answered. */
export const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };
