/**
 * Jobtask calls: metadata, the results GeoJSON (also as a table, and for
 * a whole job) and quicklooks in memory. Each takes a context from `createContext`.
 *
 * @module
 */
export { jobtaskInfo, listJobtasks } from "./info.ts";
export { getResultsJson, type ResultsJsonOptions } from "./results_json.ts";
export {
  getJobResultsJson,
  type JobResultsJsonOptions,
  JOBTASK_ID_PROPERTY,
  JOBTASK_NAME_PROPERTY,
} from "./job_results_json.ts";
export { type FeatureRow, type FeatureTable, featureTable } from "./table.ts";
export {
  listQuicklooks,
  type Quicklook,
  quicklookName,
  readQuicklook,
  type ReadQuicklookOptions,
} from "./quicklooks.ts";
export type { CallOptions, Feature, FeatureCollection, JobtaskInfo } from "./types.ts";
export type { ImageFormat } from "../internal/magic.ts";
