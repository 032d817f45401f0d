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
  const rows: { last_number: string }[] = await manager.query(
    `INSERT INTO lead_numbers AS n (organization_id, last_number) VALUES ($1, 1)
     ON CONFLICT (organization_id) DO UPDATE SET last_number = n.last_number + 1
     RETURNING last_number`,
    [organizationId],
  );
  return formatLeadNumber(Number(rows[0]!.last_number));
}
