import type { AuthResponse, User } from '../../api/types';

export type Session = { token: string; user: User; expiresAt: number };

const STORAGE_KEY = 'scoreboard.session';
type Listener = () => void;

/**
 * The signed-in session, kept in localStorage so that it survives a reload. `notice` carries the
 * reason the user was sent back to the login page (expired or refused token).
 */
class SessionStore {
  private session: Session | null = read();
  private notice: string | null = null;
  private readonly listeners = new Set<Listener>();

  constructor() {
    if (this.session && this.session.expiresAt <= Date.now()) {
      this.end('Your session has expired. Please log in again.');
    }
  }

  get current(): Session | null {
    return this.session;
  }

  get message(): string | null {
    return this.notice;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(auth: AuthResponse): void {
    this.session = {
      token: auth.access_token,
      user: auth.user,
      expiresAt: Date.now() + auth.expires_in * 1000,
    };
    this.notice = null;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.session));
    this.emit();
  }

  end(notice: string | null = null): void {
    this.session = null;
    this.notice = notice;
    localStorage.removeItem(STORAGE_KEY);
    this.emit();
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }
}

function read(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const sessionStore = new SessionStore();
