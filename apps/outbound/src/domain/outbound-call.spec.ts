import { needsCall } from './outbound-call';

describe('needsCall', () => {
  const sha = 'a'.repeat(64);

  it('calls a record never sent, or sent with another payload', () => {
    expect(needsCall(null, sha)).toBe(true);
    expect(needsCall({ status: 'SENT', payloadSha256: 'b'.repeat(64) }, sha)).toBe(true);
  });

  it('does not call again for the payload the target already took', () => {
    expect(needsCall({ status: 'SENT', payloadSha256: sha }, sha)).toBe(false);
  });

  it('calls again when the last call with this payload failed or was refused', () => {
    expect(needsCall({ status: 'FAILED', payloadSha256: sha }, sha)).toBe(true);
    expect(needsCall({ status: 'REJECTED', payloadSha256: sha }, sha)).toBe(true);
  });
});
