/**
 * The components written here although a maintained library exists, each
 * beside that library: the palette quantiser (UPNG.js, image-q), the PNG
 * encoder (fast-png), the title rasteriser (pureimage), the font's source
 * (font files need a flag or a permission), and the retry loop (ky). Each
 * kept module's comment points here.
 *
 *     deno task bench handwritten          # all of them
 *     deno run -A bench/handwritten.ts palette png text font retry [--runs N]
 *
 * @module
 */
import { font } from "./handwritten/font.ts";
import { palette } from "./handwritten/palette.ts";
import { png } from "./handwritten/png.ts";
import { retry } from "./handwritten/retry.ts";
import { text } from "./handwritten/text.ts";
import { type Figure, reportFigures } from "./support/measure.ts";

const PARTS: Record<string, [title: string, run: (runs: number) => Promise<Figure[]>]> = {
  palette: ["Palette quantiser vs UPNG.js and image-q", palette],
  png: ["PNG encoder vs fast-png", png],
  text: ["Title rasteriser vs pureimage", text],
  font: ["Font source: pdfmake's vfs vs font files", font],
  retry: ["Retry loop vs ky", () => retry()],
};

if (import.meta.main) {
  const at = Deno.args.indexOf("--runs");
  const runs = at >= 0 ? Number(Deno.args[at + 1]) : 5;
  const named = Deno.args.filter((a, i) => !a.startsWith("--") && Deno.args[i - 1] !== "--runs");
  const unknown = named.find((n) => !(n in PARTS));
  if (unknown) {
    console.error(`error: unknown part ${unknown}; choose from ${Object.keys(PARTS).join(", ")}`);
    Deno.exit(2);
  }
  for (const name of named.length ? named : Object.keys(PARTS)) {
    const [title, run] = PARTS[name];
    await reportFigures("handwritten", title, await run(runs));
  }
}
