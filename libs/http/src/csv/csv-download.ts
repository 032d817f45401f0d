import { type FastifyReply } from 'fastify';
import { type Readable } from 'node:stream';

/** Sends a streamed CSV export as a download named `filename`. */
export async function sendCsv(reply: FastifyReply, filename: string, csv: Readable): Promise<void> {
  await reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(csv);
}
