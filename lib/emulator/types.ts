/**
 * The emulator's types: what it serves and what a running one offers.
 *
 * @module
 */
import type { FeatureCollection, JobtaskInfo } from "../jobtask/types.ts";
import type { Faults } from "./faults.ts";
import type { StoredObject } from "./storage.ts";

/** A jobtask the emulator serves. */
export interface EmulatedJobtask {
  /** Its metadata; `id` is required. */
  info: JobtaskInfo;
  /** Its `data.json`; absent answers 404. */
  dataJson?: FeatureCollection;
  /** Its results archive, or a function building it on first request; absent answers 404. */
  results?: StoredObject | (() => Promise<StoredObject>);
  /** Its quicklooks, in the order the API lists them. */
  quicklooks?: { id: string; bytes: Uint8Array; contentType: string }[];
}

/** Options of {@linkcode startEmulator}. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Seed the example jobs (three jobtasks, and the mixed job of four). Default true. */
  seed?: boolean;
  /** Lifetime of issued tokens in seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
}

/** One request the emulator received (for tests and debugging). */
export interface EmulatorRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Which part answered. */
  route: "token" | "api" | "storage" | "quicklook" | "unknown";
  /** Whether an `Authorization` header came with it. */
  authorization: boolean;
  /** The `Range` header, if any. */
  range: string | null;
  /** The `User-Agent` header. */
  userAgent: string | null;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: use it as `apiUrl` / `UP42_API_URL`. */
  url: string;
  /** The emulated project's id. */
  projectId: string;
  /** The emulated project's API key. */
  projectApiKey: string;
  /** `apiUrl`, `projectId` and `projectApiKey` together, to spread into `createContext`. */
  credentials: { apiUrl: string; projectId: string; projectApiKey: string };
  /** The seeded job's id. */
  jobId: string;
  /** The seeded jobtasks' ids by role. */
  jobtasks: { dataBlock: string; processing: string; zip: string };
  /**
   * A second seeded job for whole-job downloads: the same three kinds of
   * jobtask under other ids, and `damaged`, whose results archive is cut
   * short in storage so that downloading it always fails (its results JSON
   * is fine).
   */
  mixedJob: {
    jobId: string;
    jobtasks: { dataBlock: string; processing: string; zip: string; damaged: string };
  };
  /** Fault injection for this instance. */
  faults: Faults;
  /** Every request received so far. */
  requests: EmulatorRequest[];
  /** Highest number of quicklook requests served at once. */
  maxConcurrentQuicklooks: () => number;
  /** Adds (or replaces) a jobtask of job `jobId` (a new job is created when needed). */
  addJobtask(jobId: string, jobtask: EmulatedJobtask): Promise<void>;
  /** Stops the server. */
  close(): Promise<void>;
  /** Stops the server (for `await using`). */
  [Symbol.asyncDispose](): Promise<void>;
}
