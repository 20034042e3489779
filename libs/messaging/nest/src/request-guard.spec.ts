import { hostNameOf, unsafeJsonProblems } from './request-guard';

describe('unsafeJsonProblems', () => {
  it('accepts ordinary JSON, astral characters included', () => {
    expect(unsafeJsonProblems({ name: 'Zoë 😀', lines: [{ id: 'L-1', hours: 7.5 }] })).toEqual([]);
  });

  it('names NUL characters and lone surrogates in values and keys', () => {
    expect(
      unsafeJsonProblems({ customerId: 'C\u00001', lines: [{ note: 'a\ud800b' }], ['k\u0000']: 1 }),
    ).toEqual([
      { field: 'customerId', detail: 'contains a NUL character (U+0000)' },
      { field: 'lines.0.note', detail: 'contains a lone surrogate (not valid Unicode)' },
      { field: '(body)', detail: 'a key contains a NUL character (U+0000)' },
    ]);
    expect(unsafeJsonProblems('\udc00x')).toHaveLength(1);
    expect(unsafeJsonProblems({ q: 'x\u0000' }, 'query')).toEqual([
      { field: 'query.q', detail: 'contains a NUL character (U+0000)' },
    ]);
  });

  it('refuses nesting deeper than the limit without walking it all', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i += 1) deep = [deep];
    expect(unsafeJsonProblems(deep, '(body)', 32)).toEqual([
      { field: expect.stringMatching(/^0(\.0){31}$/), detail: 'nested deeper than 32 levels' },
    ]);
    let ok: unknown = 1;
    for (let i = 0; i < 32; i += 1) ok = { a: ok };
    expect(unsafeJsonProblems(ok, '(body)', 32)).toEqual([]);
    expect(unsafeJsonProblems({ a: ok }, '(body)', 32)).toHaveLength(1);
  });
});

describe('hostNameOf', () => {
  it('drops the port and brackets and lower-cases', () => {
    expect(['LocalHost:3001', '[::1]:80', '127.0.0.1', 'api.example.com'].map(hostNameOf)).toEqual([
      'localhost',
      '::1',
      '127.0.0.1',
      'api.example.com',
    ]);
  });
});
