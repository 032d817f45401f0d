import { Logger } from '@nestjs/common';
import { connect, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import { EventEmitter } from 'node:events';

/**
 * One broker connection per process, reconnecting with back-off for as long as the process
 * lives. Publishers and consumers listen for `connected` to (re)create their channels; while
 * the broker is away they wait, and nothing is lost: unpublished events stay in the outbox,
 * unacknowledged messages stay in their queue.
 */
export class BrokerConnection extends EventEmitter<{ connected: [ChannelModel]; disconnected: [] }> {
  private readonly logger = new Logger('BrokerConnection');
  private model?: RecoveringChannelModel;
  private current?: ChannelModel;

  constructor(
    private readonly url: string,
    private readonly clientName: string,
  ) {
    super();
  }

  get isConnected(): boolean {
    return this.current !== undefined;
  }

  async start(): Promise<void> {
    this.model = await connect(this.url, {
      clientProperties: { connection_name: this.clientName },
      recovery: { waitForConnect: false, initialDelay: 200, maxDelay: 5_000, maxRetries: Infinity },
    });
    this.model.on('connect', (model: ChannelModel) => {
      this.current = model;
      this.logger.log('connected to the broker');
      this.emit('connected', model);
    });
    this.model.on('disconnect', (error: Error) => {
      this.current = undefined;
      this.logger.warn(`lost the broker: ${error?.message ?? 'closed'}`);
      this.emit('disconnected');
    });
    this.model.on('connect-failed', (error: Error) =>
      this.logger.warn(`broker unreachable: ${error.message}`),
    );
    this.model.on('error', (error: Error) => this.logger.warn(`broker error: ${error.message}`));
  }

  /** A confirm channel on the live connection, or undefined while the broker is away. */
  async confirmChannel(): Promise<ConfirmChannel | undefined> {
    const model = this.current;
    if (!model) return undefined;
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => this.logger.warn(`channel error: ${error.message}`));
    return channel;
  }

  async stop(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.current = undefined;
    await model?.close().catch(() => undefined);
  }
}
