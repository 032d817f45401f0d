import { type CsvError, parse } from 'csv-parse';
import { pipeline, type Readable, Transform } from 'node:stream';
import { type FieldError, PayloadTooLargeError, ValidationError } from '../errors';

export interface CsvLimits {
  readonly maxBytes: number;
  readonly maxRows: number;
}

/** A record of the file by its header's columns, and the row a spreadsheet shows it on. */
export interface CsvRecord {
  readonly record: Record<string, string>;
  readonly row: number;
}

export interface CsvFailure {
  row: number;
  errors: FieldError[];
}

/** Header names as people write them: any case, surrounding blanks. */
export function normalizeHeader(header: readonly string[]): string[] {
  return header.map((name) => name.trim().toLowerCase());
}

/** Where csv-parse stands after a record: the records and the blank lines read so far. */
interface ParseInfo {
  readonly records: number;
  readonly empty_lines: number;
}

/**
 * The row a spreadsheet shows the record on: the header is row 1, a blank line is a row, and a
 * record whose quoted value holds line breaks is one row. csv-parse's own line count is not used
 * because it counts a CRLF inside a quoted value as two lines.
 */
function sheetRow(info: ParseInfo): number {
  return 1 + Number(info.records) + Number(info.empty_lines);
}

/**
 * Reads a CSV upload as it streams in: a header row (any case, surrounding blanks ignored) that must
 * name `required`, then the records. Past `maxBytes` or `maxRows` the iteration throws 413. The one
 * record the parser cannot read, an unclosed quote (it runs to the end of the file), is not yielded
 * but pushed to `unreadable` with its row. A quote inside a value (Bob "The Builder" Smith, "Bob"
 * Smith) is kept as written, as spreadsheets do, rather than failing the row and the rows after it.
 */
export async function* readCsv(
  body: Readable,
  options: CsvLimits & { readonly required: string; readonly unreadable: CsvFailure[] },
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    columns: (header: string[]) => {
      const columns = normalizeHeader(header);
      if (!columns.includes(options.required))
        throw ValidationError.of('header', `the header row must name a "${options.required}" column`);
      return columns;
    },
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    info: true,
  });
  parser.on('skip', (error: CsvError & ParseInfo) => {
    // The error's counts stop before the unreadable record.
    const row = sheetRow(error) + 1;
    // csv-parse may report one unreadable record more than once.
    if (!options.unreadable.some((failure) => failure.row === row))
      options.unreadable.push({ row, errors: [{ field: 'row', message: error.message }] });
  });
  // Any failure (the size limit, a bad header, the client going away) destroys the whole chain,
  // and the iteration below rethrows it.
  pipeline(body, sizeLimit(options.maxBytes), parser, () => undefined);
  let rows = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: ParseInfo;
  }>) {
    rows += 1;
    if (rows > options.maxRows)
      throw new PayloadTooLargeError(`An import takes at most ${options.maxRows} rows`);
    yield { record, row: sheetRow(info) };
  }
}

/** Counts the bytes as they stream by and stops the import past the limit. */
function sizeLimit(limit: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > limit) callback(new PayloadTooLargeError(`An import file takes at most ${limit} bytes`));
      else callback(null, chunk);
    },
  });
}
