import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The moment a shutdown begins, told to whoever must act before anything else stops: live streams
 * close at once (and new ones are refused) instead of waiting for their module's turn among the
 * shutdown hooks, while in-flight work drains.
 */
@Injectable()
export class Lifecycle {
  private stopping = false;
  private readonly listeners = new Set<() => void>();

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Called once, first thing on shutdown. */
  beginShutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const listener of this.listeners) listener();
  }

  onShutdown(listener: () => void): void {
    this.listeners.add(listener);
  }
}

/** The process's lifecycle is ambient, like its configuration. */
@Global()
@Module({ providers: [Lifecycle], exports: [Lifecycle] })
export class LifecycleModule {}
