// What clients may send about items, checked before anything touches the database.
import { z } from 'zod';

export const NAME_MAX_CHARACTERS = 255;
export const PAGE_SIZE_DEFAULT = 100;
export const PAGE_SIZE_MAX = 1000;
/** Ids are JSON numbers: above 2^53 - 1 they would not survive the round trip. */
export const ID_MAX = Number.MAX_SAFE_INTEGER;

const positiveInteger = (what: string, max: number) =>
  z
    .string({ error: `${what} must be given once` })
    .regex(/^[1-9][0-9]*$/, `${what} must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((value) => value <= max, `${what} must be a whole number from 1 to ${max}`);

export const itemId = positiveInteger('id', ID_MAX);

export const listQuery = z.object({
  limit: positiveInteger('limit', PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  after: positiveInteger('after', ID_MAX).optional(),
});

const CONTROL_CHARACTER = /\p{Cc}/u;

export const itemBody = z.strictObject(
  {
    name: z
      .string({ error: 'name must be a string' })
      .trim()
      .refine((name) => name.length > 0, 'name must not be empty or only spaces')
      .refine(
        (name) => [...name].length <= NAME_MAX_CHARACTERS,
        `name must be at most ${NAME_MAX_CHARACTERS} characters`,
      )
      // A lone surrogate would be silently replaced when stored: refuse it instead.
      .refine((name) => name.isWellFormed(), 'name must be valid Unicode')
      .refine((name) => !CONTROL_CHARACTER.test(name), 'name must not contain control characters'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : 'the body must be a JSON object such as {"name": "..."}',
  },
);

export type ListQuery = z.infer<typeof listQuery>;
export type ItemBody = z.infer<typeof itemBody>;
