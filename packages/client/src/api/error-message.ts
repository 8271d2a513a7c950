import { ApiError } from './http';

/** What to tell the user about a failed request: the server's message, or that none came. */
export function errorMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : 'No answer from the server. Try again.';
}
