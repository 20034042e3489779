import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

import { TcpProxy } from './tcp-proxy';

/** Connects and resolves with the socket, or rejects with the connection error (e.g. ECONNREFUSED). */
function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data) => resolve(data.toString()));
    socket.write(text);
  });
}

describe('TcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  const clients: Socket[] = [];

  beforeEach(async () => {
    echo = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await new TcpProxy({
      targetHost: '127.0.0.1',
      targetPort: (echo.address() as AddressInfo).port,
    }).start();
  });

  afterEach(async () => {
    clients.forEach((client) => client.destroy());
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards both ways', async () => {
    const client = await connect(proxy.port);
    clients.push(client);
    expect(await roundTrip(client, 'ping')).toBe('ping');
    expect(proxy.connections).toBe(1);
    expect(proxy.openConnections).toBe(1);
  });

  it('cut() resets live connections and refuses new ones; restore() serves again on the same port', async () => {
    const live = await connect(proxy.port);
    clients.push(live);
    expect(await roundTrip(live, 'before')).toBe('before');
    const liveError = new Promise<NodeJS.ErrnoException>((resolve) => live.once('error', resolve));
    const port = proxy.port;

    await proxy.cut();
    expect(proxy.isCut).toBe(true);
    expect((await liveError).code).toBe('ECONNRESET');
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    expect(proxy.port).toBe(port);
    const again = await connect(port);
    clients.push(again);
    expect(await roundTrip(again, 'after')).toBe('after');
  });
});
