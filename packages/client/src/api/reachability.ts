import type { ApiError } from '@scoreboard/sdk';

type Listener = () => void;

/**
 * Whether the server answered the page's last request of it (any answer, an error too), or the
 * request got no answer at all (the server is gone, the network is down). The dashboard shows one
 * banner while it does not answer, instead of an error in every panel, and fetches everything
 * again once it does.
 */
class Reachability {
  private answering = true;
  private readonly listeners = new Set<Listener>();

  get current(): boolean {
    return this.answering;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  answered(): void {
    this.set(true);
  }

  unanswered(): void {
    this.set(false);
  }

  private set(answering: boolean): void {
    if (this.answering === answering) return;
    this.answering = answering;
    this.listeners.forEach((listener) => listener());
  }
}

export const reachability = new Reachability();

/** A request the server never answered (as opposed to an error answer, an ApiError). */
export class NoAnswerError extends Error {
  constructor(cause: unknown) {
    super('No answer from the server', { cause });
    this.name = 'NoAnswerError';
  }
}

/**
 * A gateway's answer for a server behind it that did not answer (the development proxy's, or a
 * load balancer's): a 502 or 504 without SPEC's error shape, which the server's own always carries.
 */
export function isGatewayFailure(error: ApiError): boolean {
  return (error.status === 502 || error.status === 504) && error.body === undefined;
}
