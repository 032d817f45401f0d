import { checkRecord, type FieldError } from '@flow-crm/http';
import { CreateContactDto } from '../dto/contact.dto';

/** The columns an import reads; others are ignored. `tags` are `;`-separated. */
export const IMPORT_COLUMNS = ['name', 'email', 'phone', 'company', 'title', 'tags'] as const;

export type ImportRow = Pick<CreateContactDto, 'name' | 'email' | 'phone' | 'company' | 'title'> & {
  tags: string[];
};

export type RowResult = { ok: true; row: ImportRow } | { ok: false; errors: FieldError[] };

/** One CSV record checked with exactly the rules of `POST /api/contacts`. */
export function validateImportRow(record: Readonly<Record<string, string | undefined>>): RowResult {
  const result = checkRecord(
    CreateContactDto,
    {
      name: record.name ?? '',
      email: record.email,
      phone: record.phone,
      company: record.company,
      title: record.title,
      tags: (record.tags ?? '').split(';').filter((tag) => tag.trim() !== ''),
    },
    Object.fromEntries(IMPORT_COLUMNS.map((column) => [column, record[column]])),
  );
  if (!result.ok) return result;
  const dto = result.value;
  return {
    ok: true,
    row: {
      name: dto.name,
      email: dto.email ?? null,
      phone: dto.phone ?? null,
      company: dto.company ?? null,
      title: dto.title ?? null,
      tags: dto.tags ?? [],
    },
  };
}
