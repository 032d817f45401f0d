/**
 * Ops command: list or replay a service's dead letters.
 *
 *   npm run bus:dead-letters -- list identity [--limit 50]
 *   npm run bus:dead-letters -- replay identity [--id <messageId> ...]
 *
 * RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672) and BUS_PREFIX select the broker and
 * the name prefix; BUS_RETRY_DELAYS_MS is not needed here.
 */
import { connect } from 'amqplib';
import { parseArgs } from 'node:util';
import { DeadLetters } from '../dead-letters/dead-letters';

/** Runs the command with these arguments and environment; resolves with the exit code. */
export async function deadLettersCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  out: NodeJS.WritableStream,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { id: { type: 'string', multiple: true }, limit: { type: 'string', default: '100' } },
  });
  const [command, service] = positionals;
  if (!['list', 'replay'].includes(command ?? '') || !service) {
    console.error('usage: dead-letters list|replay <service> [--id <messageId> ...] [--limit N]');
    return 2;
  }
  const connection = await connect(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  // A failed operation (no such queue) rejects with its reason; an unheard 'error' event would crash the process.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    const deadLetters = new DeadLetters(channel, {
      service,
      prefix: env.BUS_PREFIX ?? '',
      retryDelaysMs: [],
    });
    if (command === 'list') {
      const letters = await deadLetters.list(Number(values.limit));
      out.write(`${JSON.stringify(letters, null, 2)}\n`);
    } else {
      const replayed = await deadLetters.replay(values.id);
      out.write(
        `replayed ${replayed.length} message(s)${replayed.length ? `: ${replayed.join(', ')}` : ''}\n`,
      );
    }
    await channel.close();
    return 0;
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  deadLettersCommand(process.argv.slice(2), process.env, process.stdout).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(`dead-letters: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
