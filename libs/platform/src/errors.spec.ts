import { BusinessRuleViolation, PoisonMessageError, TransientError, isRetriable } from './errors';

describe('error hierarchy', () => {
  it('marks infrastructure failures retriable and business or poison failures not', () => {
    expect(isRetriable(new TransientError('db down'))).toBe(true);
    expect(isRetriable(new PoisonMessageError('bad bytes'))).toBe(false);
    expect(
      isRetriable(
        new BusinessRuleViolation('MISSING_RATE_CARD', 'no rate card', 'SALES_OPERATIONS', 'add one'),
      ),
    ).toBe(false);
  });

  it('treats unknown errors as retriable rather than dropping work', () => {
    expect(isRetriable(new Error('socket hang up'))).toBe(true);
    expect(isRetriable(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))).toBe(true);
  });

  it('treats programming bugs as not retriable', () => {
    expect(isRetriable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isRetriable(new ReferenceError('x is not defined'))).toBe(false);
    const prismaValidation = Object.assign(new Error('Argument data is missing'), {
      name: 'PrismaClientValidationError',
    });
    expect(isRetriable(prismaValidation)).toBe(false);
  });

  it('keeps the cause and context', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new TransientError('registry unavailable', { cause, context: { url: 'x' } });
    expect(error.cause).toBe(cause);
    expect(error.context).toEqual({ url: 'x' });
    expect(error.name).toBe('TransientError');
  });
});
