import { databaseUrlFor, serviceDatabaseName } from './database-url';

const serviceDatabaseUrl = (service: string) => databaseUrlFor(serviceDatabaseName(service));

describe('service database URLs', () => {
  const original = process.env['DATABASE_URL'];
  afterEach(() => {
    if (original === undefined) delete process.env['DATABASE_URL'];
    else process.env['DATABASE_URL'] = original;
  });

  it('derives from the default local URL', () => {
    delete process.env['DATABASE_URL'];
    expect(serviceDatabaseUrl('contract')).toBe('postgresql://postgres@127.0.0.1:5432/throughline_contract');
  });

  it('keeps credentials, host and query parameters of DATABASE_URL', () => {
    process.env['DATABASE_URL'] = 'postgres://app:s%40cret@db.internal:6543/whatever?sslmode=require';
    expect(serviceDatabaseUrl('billing')).toBe(
      'postgres://app:s%40cret@db.internal:6543/throughline_billing?sslmode=require',
    );
  });

  it('rejects names that are not plain identifiers', () => {
    expect(() => databaseUrlFor('x"; DROP DATABASE y')).toThrow(/invalid database name/);
  });
});
