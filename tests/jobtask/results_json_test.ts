import assert from "node:assert/strict";
import {
  createContext,
  getResultsJson,
  jobtaskInfo,
  listJobtasks,
  Up42ApiError,
} from "../../mod.ts";
import { mimeBundle } from "../../lib/notebook/mod.ts";
import { caught } from "../support/errors.ts";
import { contextFor, withEmulator } from "../support/emulator.ts";

Deno.test("jobtaskInfo: the matching entry; an unknown jobtask is a 404 naming the others", () =>
  withEmulator(async (emulator) => {
    const info = await jobtaskInfo(contextFor(emulator));
    assert.equal(info.id, emulator.jobtasks.processing);
    assert.equal(info.status, "SUCCEEDED");
    const error = await caught(
      () => jobtaskInfo(contextFor(emulator, "00000000-0000-0000-0000-000000000000")),
      Up42ApiError,
    );
    assert.equal(error.status, 404);
    assert.match(error.hint ?? "", new RegExp(emulator.jobtasks.processing));
  }));

Deno.test("results JSON: a FeatureCollection, and a flat table that displays as HTML", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator);
    const fc = await getResultsJson(ctx);
    assert.equal(fc.type, "FeatureCollection");
    assert.equal(fc.features.length, 2);
    const table = await getResultsJson(ctx, { asTable: true });
    assert.equal(table.rows.length, 2);
    assert.equal(table.columns[0], "geometry");
    assert.ok(table.columns.includes("acquisition.missionCode"), "nested properties are flattened");
    assert.equal(table.rows[1]["up42.data_path"], fc.features[1].properties!["up42.data_path"]);
    assert.deepEqual(table.rows[0].geometry, fc.features[0].geometry);
    assert.deepEqual(Object.getOwnPropertySymbols(table), [], "plain data");
    assert.ok((await mimeBundle(table))["text/html"].startsWith("<table>"));
  }));

Deno.test("results JSON: null entries and non-features are clear errors, not crashes", () =>
  withEmulator(async (emulator) => {
    await emulator.addJobtask("job-with-nulls", {
      info: { id: "t1", status: "SUCCEEDED" },
      dataJson: {
        type: "FeatureCollection",
        features: [null as never, { type: "Feature", geometry: null, properties: null }],
      },
    });
    const ctx = contextFor(emulator, "t1", { jobId: "job-with-nulls" });
    const error = await caught(() => getResultsJson(ctx), Up42ApiError);
    assert.equal(error.apiMessage, "feature 0 is not a GeoJSON Feature");
  }));

Deno.test("jobtask list: a null entry is a clear error", async () => {
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => Response.json({ data: [{ id: "a" }, null], error: null }),
  );
  const ctx = createContext({
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    projectId: "p",
    token: "t",
    jobId: "j",
  });
  const error = await caught(() => listJobtasks(ctx), Up42ApiError);
  assert.equal(error.apiMessage, "entry 1 of the jobtask list is not a jobtask with an id");
});
