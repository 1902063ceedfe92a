import assert from "node:assert/strict";
import { ArchiveError } from "../../../lib/errors.ts";
import { RATIO_FLOOR, unpackBudget } from "../../../lib/download/archive/budget.ts";
import { caught } from "../../support/errors.ts";

Deno.test("budget: a declared total is held against the limits but not counted", async () => {
  const limits = { maxBytes: 100, maxEntries: 10 };
  const budget = unpackBudget(limits, {}, () => 0);
  budget.checkDeclared(100);
  budget.announce(100); // the entries announce the same bytes again
  const error = await caught(
    () => unpackBudget(limits, {}, () => 0).checkDeclared(101),
    ArchiveError,
  );
  assert.equal(error.reason, "limit");
  assert.equal(error.limit, "maxBytes");
});

Deno.test("budget: a declared total past the ratio to the archive's size is refused", async () => {
  const limits = { maxBytes: Infinity, maxEntries: 10, maxRatio: 100 };
  const budget = unpackBudget(limits, { archiveBytes: RATIO_FLOOR / 100 }, () => 0);
  budget.checkDeclared(RATIO_FLOOR);
  const error = await caught(() => budget.checkDeclared(RATIO_FLOOR + 1), ArchiveError);
  assert.equal(error.limit, "maxRatio");
  // Without the archive's size, a declared total is held against the total only.
  unpackBudget(limits, {}, () => 1).checkDeclared(RATIO_FLOOR * 2);
});

Deno.test("budget: a declared total past the disk's room is refused with the disk's error", () => {
  const refuse = (needed: number) => new RangeError(`needs ${needed}`);
  const budget = unpackBudget(
    { maxBytes: 1000, maxEntries: 1 },
    { disk: { bytes: 10, refuse } },
    () => 0,
  );
  assert.throws(() => budget.checkDeclared(11), { name: "RangeError", message: "needs 11" });
});
