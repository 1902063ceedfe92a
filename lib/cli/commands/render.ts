/**
 * The `render` command: one raster to a PNG, no title or margin, the
 * raster's aspect ratio, nodata transparent.
 *
 * @module
 */
import { writeFileAtomic } from "../../files/atomic_write.ts";
import { encodePng } from "../../image/png.ts";
import { renderRaster } from "../../raster/render.ts";
import { parseStretch } from "../../raster/stretch.ts";
import { bandsFlag, integerFlag, numbersFlag, type ParsedArgs } from "../args.ts";

/**
 * Runs `render`.
 *
 * @example
 * ```ts
 * import { run } from "./render.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/a.tif`, await writeGeoTiff({ width: 4, height: 4, bands: [new Uint8Array(16)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] }));
 * if (await run("render", { values: { out: `${dir}/a.png` }, positionals: [`${dir}/a.tif`] }) !== 0) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function run(name: string, { values, positionals }: ParsedArgs): Promise<number> {
  const rendered = await renderRaster(positionals[0], {
    width: integerFlag(name, "width", values.width),
    height: integerFlag(name, "height", values.height),
    bands: bandsFlag(name, values.bands),
    stretch: typeof values.stretch === "string" ? parseStretch(values.stretch) : undefined,
    cmap: values.cmap as string | undefined,
    nodata: numbersFlag(name, "nodata", values.nodata, 1)?.[0],
  });
  console.log(await writeFileAtomic(values.out as string, encodePng(rendered)));
  return 0;
}
