import type { AuthResponse, User } from '../../api/types';

export type Session = { token: string; user: User; expiresAt: number };

const STORAGE_KEY = 'scoreboard.session';
type Listener = () => void;

/**
 * The signed-in session, kept in localStorage so that it survives a reload, and shared by the
 * browser's tabs: a log out, or a log in, in one tab is followed by every other (the storage
 * event). `notice` carries the reason the user was sent back to the login page (expired or
 * refused token, logged out elsewhere) or was switched to another account.
 */
class SessionStore {
  private session: Session | null = read();
  private notice: string | null = null;
  private readonly listeners = new Set<Listener>();

  constructor() {
    if (this.session && this.session.expiresAt <= Date.now()) {
      this.end('Your session has expired. Please log in again.');
    }
    window.addEventListener('storage', this.followOtherTab);
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

  /** The account's display name changed (PATCH /api/me): the session shows the new one. */
  rename(displayName: string): void {
    if (!this.session) return;
    this.session = { ...this.session, user: { ...this.session.user, display_name: displayName } };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.session));
    this.emit();
  }

  /**
   * The server refused `token`: the session ends only if it is still the one that carried it. A
   * request sent before a log out, an account deletion or a new log in may be answered after it,
   * and must neither end the new session nor replace the reason the old one ended.
   */
  endIfCurrent(token: string, notice: string): void {
    if (this.session?.token === token) this.end(notice);
  }

  end(notice: string | null = null): void {
    this.session = null;
    this.notice = notice;
    localStorage.removeItem(STORAGE_KEY);
    this.emit();
  }

  /** Another tab wrote the session (or cleared the storage): this one takes it as it is now. */
  private readonly followOtherTab = (event: StorageEvent): void => {
    if (event.key !== STORAGE_KEY && event.key !== null) return;
    const next = read();
    if (next?.token === this.session?.token) {
      // The same session, renamed there: taken without a word.
      if (next && next.user.display_name !== this.session?.user.display_name) {
        this.session = next;
        this.emit();
      }
      return;
    }
    const before = this.session;
    this.session = next;
    if (!next) this.notice = 'You were logged out in another tab.';
    else if (before && before.user.id !== next.user.id)
      this.notice = `You are now logged in as ${next.user.display_name}, as in your other tab.`;
    else this.notice = null;
    this.emit();
  };

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
