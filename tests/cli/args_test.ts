import assert from "node:assert/strict";
import { type FlagSpecs, parseFlags, UsageError } from "../../lib/cli/args.ts";
import { caught } from "../support/errors.ts";

const FLAGS: FlagSpecs = {
  out: { type: "string", value: "DIR", description: "folder", required: true },
  title: { type: "string", description: "a title", multiple: true },
  table: { type: "boolean", description: "as a table" },
};

Deno.test("args: values separate or attached, booleans, repeated flags, positionals, `--`", () => {
  assert.deepEqual(
    parseFlags("cmd", ["a", "--out", "x", "--table", "--title=one", "b", "--title", "two"], FLAGS),
    { values: { out: "x", table: true, title: ["one", "two"] }, positionals: ["a", "b"] },
  );
  assert.deepEqual(parseFlags("cmd", ["--out=-x", "-", "--", "--table", "-y"], FLAGS), {
    values: { out: "-x" },
    positionals: ["-", "--table", "-y"],
  });
  assert.deepEqual(parseFlags("cmd", ["--out="], FLAGS).values, { out: "" });
  assert.equal(parseFlags("cmd", ["--out", "x"], FLAGS).values.table, undefined);
});

Deno.test("args: every malformed command line is a UsageError of the command", async () => {
  const cases: [string[], RegExp][] = [
    [["--out", "x", "--bogus"], /unknown flag --bogus/],
    [["--ot", "x"], /unknown flag --ot/],
    [["--out", "x", "-t"], /unknown flag -t/],
    [["--out"], /--out needs a value/],
    [["--out", "-x"], /--out needs a value/],
    [["--out", "x", "--table=yes"], /--table takes no value/],
    [["a"], /needs --out DIR/],
    [["--constructor", "x", "--out", "x"], /unknown flag --constructor/],
  ];
  for (const [args, problem] of cases) {
    const error = await caught(() => parseFlags("cmd", args, FLAGS), UsageError);
    assert.equal(error.setting, "cmd", args.join(" "));
    assert.match(error.problem, problem, args.join(" "));
    assert.match(error.fix, /up42 cmd --help/);
  }
  const typo = await caught(() => parseFlags("cmd", ["--ot", "x"], FLAGS), UsageError);
  assert.match(typo.fix, /^did you mean --out\?/);
});
