// Records the JSON-RPC messages a connected SDK client receives, before the client dispatches them. Tests use it
// to check what the server really sent: the SDK client runs notification handlers a microtask late but settles
// a result at once, so notifications that share a chunk with the result never reach `onprogress`.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

export interface WireMessage {
  method?: string;
  params?: { progress?: number; total?: number };
  result?: unknown;
}

export function recordWire(client: Client): { messages: WireMessage[]; stop: () => void } {
  const transport = client.transport!;
  const dispatch = transport.onmessage!;
  const messages: WireMessage[] = [];
  transport.onmessage = (m, extra) => {
    messages.push(m as WireMessage);
    dispatch.call(transport, m, extra);
  };
  return {
    messages,
    stop: () => {
      transport.onmessage = dispatch;
    },
  };
}

/** The progress notifications among recorded messages, as [progress, total]. */
export const progressSent = (messages: WireMessage[]) =>
  messages
    .filter((m) => m.method === 'notifications/progress')
    .map((m) => [m.params!.progress!, m.params!.total] as const);
