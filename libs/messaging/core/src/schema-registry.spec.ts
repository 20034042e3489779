import { createServer, Server, Socket } from 'node:net';

import { TransientError } from '@throughline/platform';

import { SchemaRegistryGateway } from './schema-registry';

describe('SchemaRegistryGateway', () => {
  let server: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never answers: a registry that hangs.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails a call to a registry that never answers as transient instead of waiting forever', async () => {
    const { port } = server.address() as { port: number };
    const gateway = new SchemaRegistryGateway(`http://127.0.0.1:${port}`, { requestTimeoutMs: 100 });
    await expect(gateway.typeFor(1)).rejects.toBeInstanceOf(TransientError);
    await expect(gateway.idFor('subject-value', { type: 'string' })).rejects.toBeInstanceOf(TransientError);
  }, 30_000);
});
