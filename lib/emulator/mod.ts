/**
 * The local UP42 emulator: the jobs API, project authentication and a
 * signed-URL storage over real HTTP on loopback, with a seeded job and
 * fault injection. `startEmulator` runs it in-process; run this module to
 * serve it standalone (`deno task emulator [--port N]`). Its GeoTIFF writer
 * makes test rasters.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * if (!emulator.url.startsWith("http://127.0.0.1:")) throw new Error();
 * ```
 *
 * @module
 */
export { startEmulator } from "./server.ts";
export type { EmulatedJobtask, Emulator, EmulatorOptions, EmulatorRequest } from "./types.ts";
export type { Fault, FaultRoute, Faults } from "./faults.ts";
export type { StoredObject } from "./storage.ts";
export { type BandArray, type Compression, type GeoTiffSpec, writeGeoTiff } from "./tiff/writer.ts";
export type { Feature, FeatureCollection, JobtaskInfo } from "../jobtask/types.ts";
import { startEmulator } from "./server.ts";

if (import.meta.main) {
  const i = Deno.args.indexOf("--port");
  const port = i >= 0 ? Number(Deno.args[i + 1]) : 8042;
  const emulator = await startEmulator({ port });
  console.log(`UP42 emulator listening on ${emulator.url}
export UP42_API_URL=${emulator.url}
export UP42_PROJECT_ID=${emulator.projectId}
export UP42_PROJECT_API_KEY=${emulator.projectApiKey}
job: ${emulator.jobId}
jobtasks: data block ${emulator.jobtasks.dataBlock}, processing ${emulator.jobtasks.processing}, zip results ${emulator.jobtasks.zip}
mixed job (one jobtask's results always fail to download): ${emulator.mixedJob.jobId}
Press Ctrl+C to stop.`);
}
