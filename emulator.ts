/**
 * The local UP42 emulator: `startEmulator` in-process, or run this file to
 * serve it standalone on 127.0.0.1 (`deno task emulator [--port N]`).
 *
 * @example
 * ```ts ignore
 * import { startEmulator } from "@up42/jobtask/emulator";
 * const emulator = await startEmulator();
 * console.log(emulator.url);
 * await emulator.close();
 * ```
 *
 * @module
 */
export {
  type EmulatedJobtask,
  type Emulator,
  type EmulatorOptions,
  type EmulatorRequest,
  startEmulator,
} from "./lib/emulator/server.ts";
export type { Fault, FaultRoute, Faults } from "./lib/emulator/faults.ts";
export type { StoredObject } from "./lib/emulator/storage.ts";
export {
  type BandArray,
  type Compression,
  type GeoTiffSpec,
  writeGeoTiff,
} from "./lib/emulator/geotiff_writer.ts";
import { startEmulator } from "./lib/emulator/server.ts";

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
Press Ctrl+C to stop.`);
}
