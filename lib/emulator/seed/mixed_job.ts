/**
 * The emulator's second seeded job, for whole-job downloads: the three
 * kinds of jobtask of the first job (a data block with quicklooks, a
 * processing block, an order with `.zip` results) under their own ids,
 * and a fourth whose results archive is damaged in storage (its gzip
 * stream ends early, as when a block's upload was cut short), so that
 * every download of it fails after most of its bytes have arrived, while
 * its results JSON is fine.
 *
 * @module
 */
import type { EmulatedJobtask } from "../types.ts";
import type { SeededJob } from "./job.ts";

/** The mixed job. */
export interface MixedJob {
  /** The job id. */
  jobId: string;
  /** Its jobtasks, in the order the API lists them. */
  jobtasks: EmulatedJobtask[];
  /** The jobtask ids by role. */
  ids: { dataBlock: string; processing: string; zip: string; damaged: string };
}

const JOB_ID = "b7e2c4a1-3d5f-4e6a-9b8c-7d6e5f4a3b2c";
const IDS = {
  dataBlock: "0a1b2c3d-1111-4a5b-8c6d-7e8f9a0b1c2d",
  processing: "0a1b2c3d-2222-4a5b-8c6d-7e8f9a0b1c2d",
  zip: "0a1b2c3d-3333-4a5b-8c6d-7e8f9a0b1c2d",
  damaged: "0a1b2c3d-4444-4a5b-8c6d-7e8f9a0b1c2d",
};

let cached: MixedJob | undefined;

/**
 * Builds (once per process) the mixed job from the first seeded job's
 * jobtasks.
 *
 * @example
 * ```ts
 * import { seedJob } from "./job.ts";
 * import { seedMixedJob } from "./mixed_job.ts";
 * const mixed = seedMixedJob(seedJob());
 * if (mixed.jobtasks.length !== 4) throw new Error();
 * ```
 */
export function seedMixedJob(base: SeededJob): MixedJob {
  cached ??= build(base);
  return cached;
}

function build(base: SeededJob): MixedJob {
  const of = (role: keyof SeededJob["ids"]) =>
    base.jobtasks.find((t) => t.info.id === base.ids[role])!;
  const copy = (task: EmulatedJobtask, id: string): EmulatedJobtask => ({
    ...task,
    info: { ...task.info, id, jobId: JOB_ID },
  });
  const processing = of("processing");
  const damaged: EmulatedJobtask = {
    info: {
      ...processing.info,
      id: IDS.damaged,
      jobId: JOB_ID,
      name: "ndvi:1",
      blockName: "ndvi",
      blockVersion: "1.0.2",
    },
    dataJson: processing.dataJson,
    results: async () => {
      const whole = processing.results!;
      const stored = typeof whole === "function" ? await whole() : whole;
      return { ...stored, bytes: stored.bytes.subarray(0, Math.floor(stored.bytes.length * 0.8)) };
    },
  };
  return {
    jobId: JOB_ID,
    jobtasks: [
      copy(of("dataBlock"), IDS.dataBlock),
      copy(processing, IDS.processing),
      copy(of("zip"), IDS.zip),
      damaged,
    ],
    ids: IDS,
  };
}
