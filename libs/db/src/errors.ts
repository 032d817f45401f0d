import { QueryFailedError } from 'typeorm';

/** Whether a database error is the violation of the named unique index or constraint. */
export function violates(error: unknown, constraint: string): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { constraint?: string } | undefined)?.constraint === constraint
  );
}
