import { canonicalJson, payloadSha256 } from './payload-hash';

describe('payloadSha256', () => {
  it('is the same for the same payload whatever the key order', () => {
    expect(payloadSha256({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      payloadSha256({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('changes when a value or the order of an array changes', () => {
    const base = payloadSha256({ ids: ['P-1', 'P-2'], status: 'READY' });
    expect(payloadSha256({ ids: ['P-1', 'P-2'], status: 'FAILED' })).not.toBe(base);
    expect(payloadSha256({ ids: ['P-2', 'P-1'], status: 'READY' })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
