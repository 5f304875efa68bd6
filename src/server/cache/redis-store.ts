// The `redis` backend (shared by replicas) through @keyv/redis. The client fails commands at once while
// disconnected (no offline queue) and reconnects in the background with a capped back-off, so a dead Redis costs a
// call nothing and a returning one is picked up by the next probe (the time bound and the back-off are the result
// cache's, result-cache.ts). Keys are rh::<sha256>; Redis applies the TTL, this process bounds the entries it wrote.
import { createRequire } from 'node:module';
import type * as KeyvRedisModule from '@keyv/redis';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { CacheStore, StoreOptions, StoreStats } from './store.js';

/** The few client members the store uses (the full client type is generic over modules). */
interface RedisLike {
  readonly isReady: boolean;
  quit(): Promise<unknown>;
  destroy(): void;
}

/** redis://user:secret@host → redis://user:***@host */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

export class RedisStore implements CacheStore {
  readonly backend = 'redis' as const;
  readonly remote = true;
  private readonly keyv: Keyv;
  private client: RedisLike | null;
  /** Keys this process wrote, least recently used first (the per-process entry bound). */
  private readonly order = new Set<string>();
  private evictions = 0;
  private degraded: string | null = null;
  private readonly url: string;
  /** Pending until the first connection attempt has succeeded or failed. */
  private firstConnect: Promise<void> | null;

  constructor(private readonly options: StoreOptions) {
    if (!options.url) throw new Error('redis cache needs a URL (--cache redis://host:port)');
    this.url = maskUrl(options.url);
    const { logger } = options;
    // loaded here, not at import: a server without a Redis cache never pays for the client at start-up
    const { default: KeyvRedis, createClient } = createRequire(import.meta.url)(
      '@keyv/redis',
    ) as typeof KeyvRedisModule;
    const client = createClient({
      url: options.url,
      ...(options.password ? { password: options.password } : {}),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(options.timeoutMs, 1000),
        reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000),
      },
    });
    this.client = client as unknown as RedisLike;
    let settleFirst: () => void = () => {};
    this.firstConnect = new Promise<void>((resolve) => {
      settleFirst = () => {
        this.firstConnect = null;
        resolve();
      };
    });
    let warnedAt = 0;
    client.on('error', (err: Error) => {
      // Emitted on every failed reconnect; warn at most every 30 s, the degraded flag says the rest.
      if (Date.now() - warnedAt > 30_000) {
        warnedAt = Date.now();
        logger.warn(
          { cache: 'redis', url: this.url, err: err.message },
          'redis cache connection error; calls are served uncached until it returns',
        );
      }
      this.degraded = `redis unavailable at ${this.url}: ${err.message}`;
      settleFirst();
    });
    client.on('ready', () => {
      logger.info({ cache: 'redis', url: this.url }, 'redis cache connected');
      this.degraded = null;
      settleFirst();
    });
    client.connect().catch((err: Error) => {
      this.degraded = `redis connect failed at ${this.url}: ${err.message}`;
      settleFirst();
    });
    const store = new KeyvRedis(client as never, { throwOnConnectError: true, throwOnErrors: true, namespace: 'rh' });
    this.keyv = new Keyv({
      store: store as unknown as KeyvStoreAdapter,
      namespace: 'rh',
      useKeyPrefix: false, // the adapter prefixes: keys are rh::<sha256>
      throwOnErrors: true,
      ttl: options.ttlSeconds > 0 ? options.ttlSeconds * 1000 : undefined,
    });
    this.keyv.on('error', () => {}); // thrown errors are handled (and logged) by the result cache
  }

  /** A call that arrives right after start-up waits for the first connection attempt instead of missing. */
  ready(): Promise<void> {
    return this.firstConnect ?? Promise.resolve();
  }

  async get(key: string): Promise<string | undefined> {
    const value = (await this.keyv.get(key)) as unknown;
    if (value === undefined || value === null) {
      this.order.delete(key);
      return undefined;
    }
    if (this.order.delete(key)) this.order.add(key);
    // A value that is not a string (written by an older version, or by hand) is handed on as is: the result
    // cache's MAC check refuses it.
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  async set(key: string, value: string): Promise<void> {
    await this.keyv.set(key, value);
    this.order.delete(key);
    this.order.add(key);
    while (this.order.size > this.options.maxEntries) {
      const oldest = this.order.values().next().value as string;
      this.order.delete(oldest);
      this.evictions++;
      await this.keyv.delete(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.order.delete(key);
    await this.keyv.delete(key);
  }

  stats(): StoreStats {
    return { entries: this.order.size, bytes: null, evictions: this.evictions, degraded: this.degraded, url: this.url };
  }

  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    // QUIT waits for pending replies; a dead or stopped Redis must not hold up shutdown.
    const quit = client.isReady ? client.quit().then(() => undefined) : Promise.resolve();
    const timeout = new Promise<void>((r) => setTimeout(r, Math.max(this.options.timeoutMs, 500)).unref());
    await Promise.race([quit.catch(() => undefined), timeout]);
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }
}
