// Graceful shutdown support shared by both transports: an in-flight request tracker that sits between
// a connected McpServer and its transport. On shutdown it refuses new requests, lets running ones finish
// for a grace period, then answers whatever is still running with a clear "cancelled" JSON-RPC error
// (so a client is told, not left hanging) before the caller closes the servers and flushes the cache.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type RequestId = string | number;

/** JSON-RPC error code used for calls refused or cancelled because the server is shutting down. */
export const SHUTTING_DOWN_CODE = -32000;

function isRequest(msg: JSONRPCMessage): msg is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in msg && 'id' in msg && msg.id !== undefined && msg.id !== null;
}
function isResponse(msg: JSONRPCMessage): msg is JSONRPCMessage & { id: RequestId } {
  return !('method' in msg) && 'id' in msg && ('result' in msg || 'error' in msg);
}

/** JSON-RPC error code of a request cancelled by its client (answered so an HTTP stream can end). */
export const REQUEST_CANCELLED_CODE = -32800;

export class InFlightTracker {
  private readonly pending = new Map<Transport, Set<RequestId>>();
  /** Who sent the requests on each transport (HTTP: token or address), for routing cancellations. */
  private readonly owners = new Map<Transport, string>();
  private draining = false;
  private waiters: Array<() => void> = [];

  /** Number of requests received and not yet answered, over all tracked transports. */
  get size(): number {
    let n = 0;
    for (const ids of this.pending.values()) n += ids.size;
    return n;
  }

  /**
   * Wraps a transport that an McpServer is already connected to (call after `connect`): requests are
   * counted in, responses counted out; while draining, new requests are answered with an error at once.
   */
  track(transport: Transport, owner?: string): void {
    const ids = new Set<RequestId>();
    this.pending.set(transport, ids);
    if (owner !== undefined) this.owners.set(transport, owner);
    const onmessage = transport.onmessage;
    const send = transport.send.bind(transport);
    transport.onmessage = (msg, extra) => {
      if (isRequest(msg)) {
        if (this.draining && msg.method !== 'ping') {
          void send({
            jsonrpc: '2.0',
            id: msg.id,
            error: {
              code: SHUTTING_DOWN_CODE,
              message: 'server is shutting down; retry on another replica or after restart',
            },
          }).catch(() => {});
          return;
        }
        ids.add(msg.id);
      }
      onmessage?.(msg, extra);
    };
    transport.send = async (msg, options) => {
      if (isResponse(msg)) {
        ids.delete(msg.id);
        this.notify();
      }
      return send(msg, options);
    };
    const onclose = transport.onclose;
    transport.onclose = () => {
      this.pending.delete(transport);
      this.owners.delete(transport);
      this.notify();
      onclose?.();
    };
  }

  /** Stops tracking a transport (its requests are over, e.g. the HTTP response was closed). */
  forget(transport: Transport): void {
    this.owners.delete(transport);
    if (this.pending.delete(transport)) this.notify();
  }

  /**
   * Stateless HTTP: a client's `notifications/cancelled` arrives in its own POST, not on the transport
   * that runs the call. Deliver it there (the handler's signal aborts) and answer the call with a
   * "cancelled" error so that its response stream ends. Only requests of the same owner (token, or
   * address without tokens) are touched. Returns whether a running request was found.
   */
  cancel(owner: string, requestId: RequestId, reason?: string): boolean {
    for (const [transport, ids] of this.pending) {
      if (this.owners.get(transport) !== owner || !ids.has(requestId)) continue;
      transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason } });
      void transport
        .send({
          jsonrpc: '2.0',
          id: requestId,
          error: { code: REQUEST_CANCELLED_CODE, message: `cancelled by the client${reason ? `: ${reason}` : ''}` },
        })
        .catch(() => {});
      return true;
    }
    return false;
  }

  private notify(): void {
    if (this.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Refuses new requests, waits up to `graceMs` for running ones, then answers the rest with a
   * cancellation error. Returns how many finished in time and how many were cancelled.
   */
  async drain(graceMs: number): Promise<{ finished: number; cancelled: number }> {
    this.draining = true;
    const before = this.size;
    if (before > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    let cancelled = 0;
    for (const [transport, ids] of [...this.pending]) {
      for (const id of [...ids]) {
        cancelled++;
        await transport
          .send({
            jsonrpc: '2.0',
            id,
            error: {
              code: SHUTTING_DOWN_CODE,
              message:
                `cancelled: the server is shutting down and the call did not finish within the ${graceMs} ms ` +
                'grace period (RED_HEART_SHUTDOWN_GRACE_MS)',
            },
          })
          .catch(() => {});
      }
    }
    return { finished: before - cancelled, cancelled };
  }
}
