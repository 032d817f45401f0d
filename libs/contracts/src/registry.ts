import { type z } from 'zod';
import { type EventEnvelope, eventEnvelopeSchema } from './envelope';

/** One version of one event type: its name, its version and the schema of its `data`. */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly schema: TSchema;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  type: TType,
  version: number,
  schema: TSchema,
): EventDefinition<TType, TSchema> {
  return Object.freeze({ type, version, schema });
}

/** The payload type of an event definition. */
export type EventData<TDef> = TDef extends EventDefinition<string, infer S> ? z.infer<S> : never;

/** A fully typed envelope of an event definition. */
export type EventOf<TDef> =
  TDef extends EventDefinition<infer T, infer S> ? EventEnvelope<z.infer<S>, T> : never;

export class UnknownEventError extends Error {
  constructor(
    readonly type: string,
    readonly version: number,
  ) {
    super(`unknown event ${type} v${version}`);
  }
}

export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly issues: string[],
  ) {
    super(`invalid event ${type}: ${issues.join('; ')}`);
  }
}

/**
 * Every (type, version) this codebase knows. Producers validate what they write and consumers
 * validate what they read against it, so a malformed event is refused at the edge instead of
 * corrupting a replica.
 */
export class EventRegistry {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(definitions: Iterable<EventDefinition>) {
    for (const definition of definitions) {
      const key = EventRegistry.key(definition.type, definition.version);
      if (this.definitions.has(key)) throw new Error(`event ${key} is defined twice`);
      this.definitions.set(key, definition);
    }
  }

  has(type: string, version: number): boolean {
    return this.definitions.has(EventRegistry.key(type, version));
  }

  types(): string[] {
    return [...new Set([...this.definitions.values()].map((d) => d.type))];
  }

  /** Validates the data of an event about to be published; returns the parsed data. */
  validateData(type: string, version: number, data: unknown): unknown {
    const definition = this.definitions.get(EventRegistry.key(type, version));
    if (!definition) throw new UnknownEventError(type, version);
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) throw new InvalidEventError(type, formatIssues(parsed.error));
    return parsed.data;
  }

  /** Validates a received envelope and its data; returns it typed. */
  parse(raw: unknown): EventEnvelope {
    const envelope = eventEnvelopeSchema.safeParse(raw);
    if (!envelope.success) {
      const type =
        typeof (raw as { type?: unknown })?.type === 'string' ? (raw as { type: string }).type : '?';
      throw new InvalidEventError(type, formatIssues(envelope.error));
    }
    const { type, version } = envelope.data;
    return { ...envelope.data, data: this.validateData(type, version, envelope.data.data) } as EventEnvelope;
  }

  private static key(type: string, version: number): string {
    return `${type}@${version}`;
  }
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
