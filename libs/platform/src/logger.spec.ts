import { Writable } from 'node:stream';

import { withLogContext } from './log-context';
import { createLogger } from './logger';

describe('createLogger', () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger('billing', 'info', destination);

  beforeEach(() => lines.splice(0));

  it('writes the service and the correlation and event ids of the work in progress on every line', async () => {
    await withLogContext({ correlationId: 'corr-1', eventId: 'evt-1' }, async () => {
      await Promise.resolve();
      logger.info('handled');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({
      service: 'billing',
      correlationId: 'corr-1',
      eventId: 'evt-1',
      msg: 'handled',
    });
    expect(lines[1]).toMatchObject({ service: 'billing', msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('redacts secrets and e-mail addresses', () => {
    logger.info({ request: { token: 'abc', email: 'ana@example.com', amountMinor: 100 } }, 'request');
    expect(lines[0]?.['request']).toEqual({ token: '[redacted]', email: '[redacted]', amountMinor: 100 });
  });
});
