import { keepBody } from './rejected-body';

describe('keepBody', () => {
  it('keeps a prefix, the size and the SHA-256 of the whole body', () => {
    const body = Buffer.from('x'.repeat(1_048_576));
    const kept = keepBody(body, 4_096);
    expect(kept.bodyPrefix).toHaveLength(4_096);
    expect(kept.bodyBytes).toBe(1_048_576);
    expect(kept.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(keepBody(Buffer.from('abc'), 4_096)).toEqual({
      bodyPrefix: new Uint8Array(Buffer.from('abc')),
      bodyBytes: 3,
      bodySha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });

  it('keeps nothing of a body that was never read', () => {
    expect(keepBody(null, 4_096)).toEqual({ bodyPrefix: null, bodyBytes: null, bodySha256: null });
  });
});
