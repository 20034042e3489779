import { z } from 'zod';

import { ValidationError } from '@throughline/platform';

/** Parses a request body with a zod schema; a failure names every bad field. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    throw new ValidationError(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      context: { issues },
    });
  }
  return result.data;
}
