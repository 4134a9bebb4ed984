// zod results turned into 400 problems that name each bad field.
import type { z } from 'zod';
import { HttpProblem } from './problem.ts';

export function parseOrReject<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'path' | 'query' | 'body',
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : where,
    message: issue.message,
  }));
  throw new HttpProblem(
    400,
    'validation-error',
    errors.map((error) => error.message).join('; '),
    errors,
  );
}
