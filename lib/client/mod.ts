/**
 * The client: the context every call takes, authentication, the retry
 * policy and the one request function. Only the context and the policy are
 * public; the transport stays inside the module.
 *
 * @module
 */
export {
  type ContextOptions,
  createContext,
  DEFAULT_API_URL,
  ENV_VARIABLES,
  withJob,
  withJobtask,
} from "./context.ts";
export type { JobContext, JobtaskContext, TokenSource, Up42Context } from "./types.ts";
export { DEFAULT_RETRY, type RetryPolicy } from "./retry_policy.ts";
export type { RetryEvent } from "./fetch_retry.ts";
