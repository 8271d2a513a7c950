export { ScoreboardClient, login, type ClientOptions } from './client.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { ApiError, NetworkError, type ApiErrorBody } from './errors.js';
export {
  Http,
  type Credentials,
  type HttpAnswer,
  type HttpOptions,
  type RequestOptions,
} from './http.js';
export { SubmissionQueue, type QueueEvent, type QueueOptions, type SubmitInput } from './queue.js';
export {
  LocalStorageStore,
  MemoryStore,
  type QueuedSubmission,
  type SubmissionStore,
  type WebStorage,
} from './store.js';
export {
  openLiveStream,
  parseEvent,
  type LiveEvent,
  type LiveOptions,
  type LiveState,
  type LiveStream,
} from './stream.js';
export type * from './generated/api.js';
