import { sampleEventRecord } from '@throughline/contracts/testing';

import { heldChangeOrderOf } from './plan-changes';

describe('heldChangeOrderOf', () => {
  const v2 = sampleEventRecord('ChangeOrderApproved').data;

  it('keeps the currency of a change order held as JSON', () => {
    expect(heldChangeOrderOf(JSON.parse(JSON.stringify({ ...v2, currency: 'USD' })))).toEqual({
      ...v2,
      currency: 'USD',
    });
  });

  it('reads a change order held before v2 (no currency field) as a v1 event: currency null', () => {
    const { currency: _absent, ...v1 } = v2;
    expect(heldChangeOrderOf(JSON.parse(JSON.stringify(v1)))).toEqual({ ...v1, currency: null });
  });
});
