/** Escapes LIKE/ILIKE wildcards in user input (PostgreSQL's default escape character is `\`). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%value%` for a case-insensitive substring search on user input. */
export function containsPattern(value: string): string {
  return `%${escapeLike(value.trim().toLowerCase())}%`;
}
