import { createConnection, createServer, Server, Socket } from 'node:net';

export interface TcpProxyOptions {
  /** Where connections are forwarded to. */
  targetHost: string;
  targetPort: number;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/**
 * A loopback TCP proxy that can simulate an outage of whatever sits behind it (PostgreSQL, the
 * schema registry): `cut()` resets every live connection and stops listening, so new connections
 * are refused, as when the server is down; `restore()` listens again on the same port.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private server: Server | undefined;
  private listenPort: number;
  private connectionCount = 0;

  constructor(private readonly options: TcpProxyOptions) {
    this.listenPort = options.port ?? 0;
  }

  /** The port clients connect to; stable across `cut()` and `restore()`. */
  get port(): number {
    return this.listenPort;
  }

  get isCut(): boolean {
    return this.server === undefined;
  }

  /** Client connections accepted so far. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Live client connections. */
  get openConnections(): number {
    return this.clients.size;
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  /** Resets live connections (both sides) and refuses new ones until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.clients.clear();
    await closed;
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  /** Cuts and releases the port for good. */
  async close(): Promise<void> {
    await this.cut();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address) this.listenPort = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private forward(client: Socket): void {
    this.connectionCount++;
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      // Errors end both sides; they are what clients see when the server goes away.
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
