import assert from "node:assert/strict";
import { ConfigError } from "../../mod.ts";
import { createStaging, IncompleteMoveError } from "../../lib/download/sink/staging.ts";
import { bytesOf, tree } from "../support/archives.ts";
import { caught } from "../support/errors.ts";
import { withTempDir } from "../support/temp.ts";

function once(bytes: Uint8Array) {
  let sent = false;
  return () => Promise.resolve(sent ? null : (sent = true, bytes));
}

/** Stages `files` and returns the staging with the list to commit. */
async function staged(dir: string, files: Record<string, string>) {
  const staging = await createStaging(dir);
  for (const [path, text] of Object.entries(files)) {
    await staging.writeFile(path, once(bytesOf(text)));
  }
  return { staging, paths: Object.keys(files) };
}

Deno.test("staging: a commit moves everything in place and leaves no staging folder", () =>
  withTempDir("up42-staging-test-", async (dir) => {
    await Deno.mkdir(`${dir}/scene`);
    await Deno.writeTextFile(`${dir}/scene/mine.txt`, "mine");
    const { staging, paths } = await staged(dir, {
      "a.txt": "a",
      "scene/b.tif": "b",
      "new/c.tif": "c",
    });
    await staging.commit(paths);
    assert.deepEqual(await tree(dir), [
      "a.txt",
      "new/",
      "new/c.tif",
      "scene/",
      "scene/b.tif",
      "scene/mine.txt",
    ]);
  }));

Deno.test("staging: a failure in the middle of the moves is rolled back completely", () =>
  withTempDir("up42-staging-test-", async (dir) => {
    await Deno.mkdir(`${dir}/scene`);
    await Deno.writeTextFile(`${dir}/scene/b.tif`, "old b");
    await Deno.writeTextFile(`${dir}/scene/mine.txt`, "mine");
    const before = await tree(dir);
    const files = {
      "a.txt": "a",
      "scene/b.tif": "new b",
      "scene/deep/c.tif": "c",
      "scene/d.tif": "d",
    };
    for (let failAt = 1; failAt <= 5; failAt++) {
      const { staging, paths } = await staged(dir, files);
      let calls = 0;
      const rename = async (from: string, to: string) => {
        if (++calls === failAt) {
          throw new Deno.errors.PermissionDenied(`injected failure ${failAt}`);
        }
        await Deno.rename(from, to);
      };
      const error = await caught(
        () => staging.commit(paths, { rename }),
        Deno.errors.PermissionDenied,
      );
      assert.match(error.message, /injected/);
      await staging.discard();
      assert.deepEqual(await tree(dir), before, `after a failure at rename ${failAt}`);
      assert.equal(await Deno.readTextFile(`${dir}/scene/b.tif`), "old b");
    }
  }));

Deno.test("staging: a rollback that fails too says what remains and keeps the staging folder", () =>
  withTempDir("up42-staging-test-", async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "old");
    const { staging, paths } = await staged(dir, { "a.txt": "new", "b.txt": "b" });
    let calls = 0;
    const rename = async (from: string, to: string) => {
      if (++calls === 3) {
        // The backup vanishes, so restoring a.txt cannot work.
        for await (const e of Deno.readDir(dir)) {
          if (e.name.startsWith(".up42-staging-")) {
            await Deno.remove(`${dir}/${e.name}/.replaced`, { recursive: true });
          }
        }
        throw new Error("injected");
      }
      await Deno.rename(from, to);
    };
    const error = await caught(() => staging.commit(paths, { rename }), IncompleteMoveError);
    assert.ok(error.remains.length > 0);
    assert.ok(!error.message.includes("\n"));
  }));

Deno.test("staging: conflicts are found before anything moves", () =>
  withTempDir("up42-staging-test-", async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "old");
    await Deno.mkdir(`${dir}/b.txt`);
    const { staging, paths } = await staged(dir, { "a.txt": "new", "b.txt": "b" });
    const error = await caught(() => staging.commit(paths), ConfigError);
    assert.equal(error.setting, "outputDirectory");
    const kept = await caught(() => staging.commit(["a.txt"], { overwrite: false }), ConfigError);
    assert.match(kept.problem, /already exists/);
    await staging.discard();
    assert.deepEqual(await tree(dir), ["a.txt", "b.txt/"]);
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "old");
  }));

Deno.test("staging: writing stops when the signal aborts", () =>
  withTempDir("up42-staging-test-", async (dir) => {
    const staging = await createStaging(dir);
    const controller = new AbortController();
    let pieces = 0;
    const read = () => {
      if (++pieces === 3) controller.abort(new DOMException("stop", "AbortError"));
      return Promise.resolve(new Uint8Array(1024));
    };
    await caught(() => staging.writeFile("x.bin", read, controller.signal), DOMException);
    assert.ok(pieces < 10);
    await staging.discard();
    assert.deepEqual(await tree(dir), []);
  }));
