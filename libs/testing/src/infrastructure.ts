import { existsSync } from 'node:fs';

export interface Infrastructure {
  /** PostgreSQL server URL (no database name). */
  readonly postgresUrl: string;
  readonly rabbitmqUrl: string;
  readonly redisUrl: string;
  stop(): Promise<void>;
}

const DEFAULTS = {
  postgresUrl: 'postgres://postgres@127.0.0.1:5432',
  rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672',
  redisUrl: 'redis://127.0.0.1:6379',
};

function dockerAvailable(): boolean {
  const socket = process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') ?? '/var/run/docker.sock';
  return existsSync(socket);
}

let shared: Promise<Infrastructure> | undefined;

/**
 * The PostgreSQL, RabbitMQ and Redis servers tests run against: from DATABASE_URL, RABBITMQ_URL
 * and REDIS_URL when set; else, when TEST_CONTAINERS=1 and a Docker engine answers, fresh
 * containers (testcontainers); else the local servers at their default ports.
 */
export function infrastructure(): Promise<Infrastructure> {
  shared ??= resolveInfrastructure();
  return shared;
}

async function resolveInfrastructure(): Promise<Infrastructure> {
  const fromEnv = process.env.DATABASE_URL || process.env.RABBITMQ_URL;
  if (!fromEnv && process.env.TEST_CONTAINERS === '1' && dockerAvailable()) return startContainers();
  return {
    postgresUrl: process.env.DATABASE_URL ?? DEFAULTS.postgresUrl,
    rabbitmqUrl: process.env.RABBITMQ_URL ?? DEFAULTS.rabbitmqUrl,
    redisUrl: process.env.REDIS_URL ?? DEFAULTS.redisUrl,
    stop: async () => undefined,
  };
}

async function startContainers(): Promise<Infrastructure> {
  // Loaded only here: the packages are heavy and most runs use the local servers.
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [postgres, rabbitmq, redis] = await Promise.all([
    new PostgreSqlContainer('postgres:16-alpine').withUsername('postgres').withPassword('postgres').start(),
    new RabbitMQContainer('rabbitmq:3.13-management-alpine').start(),
    new RedisContainer('redis:7-alpine').start(),
  ]);
  return {
    postgresUrl: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}`,
    rabbitmqUrl: rabbitmq.getAmqpUrl(),
    redisUrl: redis.getConnectionUrl(),
    stop: async () => {
      await Promise.all([postgres.stop(), rabbitmq.stop(), redis.stop()]);
    },
  };
}
