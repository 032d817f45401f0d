import { QueryFailedError } from 'typeorm';

/** Whether a database error is the violation of the named unique index or constraint. */
export function violates(error: unknown, constraint: string): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { constraint?: string } | undefined)?.constraint === constraint
  );
}

/**
 * Runs `write`, turning the violation of the unique index `constraint` into `conflict()`, which may
 * look up what the write collided with. A check before the write says the same as the index, but
 * the index is what two racing writers meet.
 */
export async function refuseDuplicate<T>(
  constraint: string,
  conflict: () => Error | Promise<Error>,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw violates(error, constraint) ? await conflict() : error;
  }
}
