import { type EntityManager } from 'typeorm';

const DIGITS = 6;

/** `LEAD-000042`; past 999,999 the number simply grows wider. */
export function formatLeadNumber(n: number): string {
  return `LEAD-${String(n).padStart(DIGITS, '0')}`;
}

/**
 * The organization's next lead number, taken in the caller's transaction: the counter row stays
 * locked until it commits, so concurrent creates take consecutive numbers and a rolled-back
 * create gives its number back.
 */
export async function nextLeadNumber(manager: EntityManager, organizationId: string): Promise<string> {
  return (await nextLeadNumbers(manager, organizationId, 1))[0]!;
}

/** `count` consecutive numbers at once (an import's batch), in the same way. */
export async function nextLeadNumbers(
  manager: EntityManager,
  organizationId: string,
  count: number,
): Promise<string[]> {
  const rows: { last_number: string }[] = await manager.query(
    `INSERT INTO lead_numbers AS n (organization_id, last_number) VALUES ($1, $2)
     ON CONFLICT (organization_id) DO UPDATE SET last_number = n.last_number + $2
     RETURNING last_number`,
    [organizationId, count],
  );
  const last = Number(rows[0]!.last_number);
  return Array.from({ length: count }, (_, i) => formatLeadNumber(last - count + 1 + i));
}
