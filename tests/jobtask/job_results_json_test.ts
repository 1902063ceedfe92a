import assert from "node:assert/strict";
import {
  ConfigError,
  type FeatureCollection,
  getJobResultsJson,
  getResultsJson,
  JobError,
  Up42ApiError,
  withJobtask,
} from "../../mod.ts";
import { caught } from "../support/errors.ts";
import { jobContextFor, withEmulator } from "../support/emulator.ts";

Deno.test("job results JSON: every jobtask's features in the job's order, each tagged with its jobtask", () =>
  withEmulator(async (emulator) => {
    const { jobId, jobtasks: ids } = emulator.mixedJob;
    const ctx = jobContextFor(emulator, jobId);
    const fc = await getJobResultsJson(ctx);
    const expected: [string, string, number][] = [];
    for (const role of ["dataBlock", "processing", "zip", "damaged"] as const) {
      const own = await getResultsJson(withJobtask(ctx, { jobtaskId: ids[role] }));
      own.features.forEach((_, i) => expected.push([ids[role], role, i]));
    }
    assert.equal(fc.features.length, expected.length);
    fc.features.forEach((feature, i) => {
      assert.equal(feature.properties!["up42.jobtask_id"], expected[i][0]);
      assert.equal(typeof feature.properties!["up42.jobtask_name"], "string");
    });
    assert.equal(fc.features.at(-1)!.properties!["up42.jobtask_name"], "ndvi:1");
    // Everything else of a feature is as its jobtask's data.json has it.
    const zip = await getResultsJson(withJobtask(ctx, { jobtaskId: ids.zip }));
    const tagged = fc.features.find((f) => f.properties!["up42.jobtask_id"] === ids.zip)!;
    const { "up42.jobtask_id": _id, "up42.jobtask_name": _name, ...rest } = tagged.properties!;
    assert.deepEqual({ ...tagged, properties: rest }, zip.features[0]);

    const table = await getJobResultsJson(ctx, { asTable: true });
    assert.deepEqual(table.columns.slice(0, 3), [
      "geometry",
      "up42.jobtask_id",
      "up42.jobtask_name",
    ]);
    assert.equal(table.rows.length, fc.features.length);
    assert.ok(table.columns.includes("acquisition.missionCode"));

    const some = await getJobResultsJson(ctx, { jobtasks: [ids.zip] });
    assert.deepEqual(some.features.map((f) => f.properties!["up42.jobtask_id"]), [ids.zip]);
    const unknown = await caught(() => getJobResultsJson(ctx, { jobtasks: ["nope"] }), ConfigError);
    assert.equal(unknown.setting, "jobtasks");
  }));

Deno.test("job results JSON: a jobtask without results JSON is reported with the others gathered", () =>
  withEmulator(async (emulator) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "failed-task", name: "broken:1", status: "FAILED" },
    });
    const error = await caught(() => getJobResultsJson(jobContextFor(emulator)), JobError);
    assert.equal(error.action, "results JSON");
    assert.deepEqual(error.failures.map((f) => f.jobtaskId), ["failed-task"]);
    const cause = error.failures[0].error;
    assert.ok(cause instanceof Up42ApiError);
    assert.equal(cause.status, 404);
    assert.equal((error.result as FeatureCollection).features.length, 5); // 2 scenes, 2 processing results, 1 order
    assert.ok(!error.message.includes("\n"));
  }));
