import { type FieldError, nulCharacterFields, toFieldErrors } from '@flow-crm/http';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateContactDto } from '../dto/contact.dto';

/** The columns an import reads; others are ignored. `tags` are `;`-separated. */
export const IMPORT_COLUMNS = ['name', 'email', 'phone', 'company', 'title', 'tags'] as const;

export type ImportRow = Pick<CreateContactDto, 'name' | 'email' | 'phone' | 'company' | 'title'> & {
  tags: string[];
};

export type RowResult = { ok: true; row: ImportRow } | { ok: false; errors: FieldError[] };

/** Header names as people write them: any case, surrounding blanks. */
export function normalizeHeader(header: readonly string[]): string[] {
  return header.map((name) => name.trim().toLowerCase());
}

/** One CSV record checked with exactly the rules of `POST /api/contacts`. */
export function validateImportRow(record: Readonly<Record<string, string | undefined>>): RowResult {
  const plain = {
    name: record.name ?? '',
    email: record.email,
    phone: record.phone,
    company: record.company,
    title: record.title,
    tags: (record.tags ?? '').split(';').filter((tag) => tag.trim() !== ''),
  };
  const nul = nulCharacterFields(
    Object.fromEntries(IMPORT_COLUMNS.map((column) => [column, record[column]])),
  );
  if (nul.length > 0)
    return {
      ok: false,
      errors: nul.map((field) => ({ field, message: `${field} must not contain NUL characters` })),
    };
  const dto = plainToInstance(CreateContactDto, plain);
  const errors = validateSync(dto, { whitelist: true, validationError: { target: false, value: false } });
  if (errors.length > 0) return { ok: false, errors: toFieldErrors(errors) };
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
