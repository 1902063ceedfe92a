/**
 * A script that uses only the jobtask calls, as a user writes it: one
 * `jobtaskInfo` with credentials from the environment. `bench/startup.ts`
 * measures what it loads and costs: `deno run --allow-net --allow-env bench/jobtask_entry.ts JOB JOBTASK`.
 *
 * @module
 */
import { createContext, jobtaskInfo } from "@up42/jobtask";

const [jobId, jobtaskId] = Deno.args;
await jobtaskInfo(createContext({ jobId, jobtaskId }));
