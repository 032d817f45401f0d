import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Whether the app is shutting down. The HTTP server closes only once every connection has ended,
 * and a keep-alive connection whose request was in flight at that moment would keep it open until
 * the client let go: answers sent while draining say `Connection: close` instead.
 */
@Injectable()
export class Draining implements BeforeApplicationShutdown {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
