import assert from "node:assert/strict";
import {
  ConfigError,
  createContext,
  jobtaskInfo,
  PermissionError,
  withJob,
  withJobtask,
} from "../../mod.ts";
import { startEmulator } from "../../lib/emulator/mod.ts";
import { caught } from "../support/errors.ts";
import { denoEnv } from "../support/emulator.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("context: ids are validated before any request", async () => {
  await using emulator = await startEmulator({ seed: false });
  for (const bad of ["../x", "a/b", "a?b", "a#b", "a b", "a\nb", "a\u0000b", "..", "%2e%2e"]) {
    const error = await caught(
      () => jobtaskInfo(createContext({ ...emulator.credentials, jobId: "job", jobtaskId: bad })),
      ConfigError,
    );
    assert.equal(error.setting, "jobtask id");
  }
  const missing = await caught(
    () => withJobtask(createContext(emulator.credentials), { jobId: "j", jobtaskId: "" }),
    ConfigError,
  );
  assert.equal(missing.setting, "jobtask id");
  assert.equal(emulator.requests.length, 0);
});

Deno.test("context: the type follows the ids given; copies keep auth and drop a stale jobtask", () => {
  const project = createContext({ apiUrl: "http://127.0.0.1:1", projectId: "p", token: "t" });
  const task = withJobtask(project, { jobId: "j", jobtaskId: "t1" });
  assert.equal(task.getToken, project.getToken);
  const job = withJob(task, { jobId: "j2" });
  assert.equal(job.jobId, "j2");
  assert.ok(!("jobtaskId" in job));
  assert.equal(withJobtask(job, { jobtaskId: "t2" }).jobId, "j2");
  assert.ok(Object.isFrozen(task));
});

Deno.test("context: missing credentials name the env variables", async () => {
  const script = `import { createContext } from "${new URL("../../mod.ts", import.meta.url)}";
try { createContext({ apiUrl: "http://127.0.0.1:1" }); } catch (e) { console.log(JSON.stringify({ name: e.name, setting: e.setting, message: e.message })); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    env: denoEnv(),
    clearEnv: true,
  }).output();
  const error = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(error.name, "ConfigError");
  assert.equal(error.setting, "UP42_PROJECT_ID");
  assert.match(error.message, /UP42_PROJECT_API_KEY/);
});

Deno.test("context: an env variable it may not read is a PermissionError naming --allow-env", async () => {
  const script = `import { createContext } from "${new URL("../../mod.ts", import.meta.url)}";
try { createContext({ projectId: "p", projectApiKey: "k" }); console.log("{}"); } catch (e) { console.log(JSON.stringify({ name: e.name, flag: e.flag })); }`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--config", CONFIG, file],
    env: { ...denoEnv(), UP42_API_URL: "http://127.0.0.1:1" },
    clearEnv: true,
  }).output();
  await Deno.remove(file);
  const error = JSON.parse(new TextDecoder().decode(out.stdout) || "{}");
  assert.equal(error.name, "PermissionError", new TextDecoder().decode(out.stderr));
  assert.match(error.flag, /^--allow-env=.*UP42_API_URL/);
  assert.ok(PermissionError.prototype instanceof ConfigError);
});

Deno.test("context: a bad API url is a ConfigError on apiUrl", async () => {
  for (const apiUrl of ["not a url", "ftp://x", "https://user:pw@x", "https://x/?q=1"]) {
    const error = await caught(
      () => createContext({ apiUrl, projectId: "p", token: "t" }),
      ConfigError,
    );
    assert.equal(error.setting, "apiUrl");
    assert.ok(!error.message.includes("pw@"), "credentials are not echoed");
  }
});
