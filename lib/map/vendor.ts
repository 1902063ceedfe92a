/**
 * The page's libraries besides Leaflet — flatbush (spatial index, with its
 * flatqueue) and pbf (protocol buffers, to read geobuf) — as one classic
 * script. They ship only as ES modules whose exports map hides their
 * prebuilt bundles, so their sources are text-imported and each
 * `export default class X` becomes a plain `class X` in the page's own
 * scope: nothing is added to `window`. A library whose shape changes is
 * refused when the page is built rather than broken in the browser.
 *
 * @module
 */
import flatbush from "flatbush" with { type: "text" };
import flatqueue from "flatqueue" with { type: "text" };
import pbf from "pbf" with { type: "text" };

/**
 * An ES module with one default-exported class and the given imports as
 * script text declaring that class; anything else is an error.
 *
 * @example
 * ```ts
 * import { classicScript } from "./vendor.ts";
 * const src = "import B from 'b';\nexport default class A extends B {}\n";
 * if (classicScript("a", src, ["b"]) !== "\nclass A extends B {}\n") throw new Error();
 * ```
 */
export function classicScript(name: string, source: string, imports: string[] = []): string {
  let text = source;
  for (const spec of imports) {
    const line = new RegExp(`^import \\w+ from ['"]${spec}['"];?[ \\t]*$`, "m");
    if (!line.test(text)) throw new Error(`${name}: no import of ${spec}`);
    text = text.replace(line, "");
  }
  const exports = text.match(/^export default class \w+/gm) ?? [];
  if (exports.length !== 1) throw new Error(`${name}: expected one default-exported class`);
  text = text.replace(/^export default class/m, "class");
  if (/^\s*(import|export)\b/m.test(text)) throw new Error(`${name}: unexpected import or export`);
  return text.replace(/\/\/# sourceMappingURL=\S*\s*$/, "");
}

let script: string | undefined;

/**
 * FlatQueue, Flatbush and Pbf as declarations for the page's script scope.
 *
 * @example
 * ```ts
 * import { vendorScript } from "./vendor.ts";
 * if (!vendorScript().includes("class Flatbush")) throw new Error();
 * ```
 */
export function vendorScript(): string {
  script ??= [
    classicScript("flatqueue", flatqueue),
    classicScript("flatbush", flatbush, ["flatqueue"]),
    classicScript("pbf", pbf),
  ].join("\n");
  return script;
}
