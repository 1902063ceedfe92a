/**
 * The one shape of a file in memory, shared by every stage: what
 * `readResults` and `readQuicklook` return and what renders, plots and maps
 * take.
 *
 * @module
 */

/** A file in memory: its name (or relative path) and its bytes. */
export interface NamedBytes {
  /** Its name or relative path, e.g. `a1/a1_0-0.tif` (used for titles, format and messages). */
  name: string;
  /** Its bytes. */
  bytes: Uint8Array;
}
