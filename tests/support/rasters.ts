/**
 * Rasters and feature collections the map tests and benchmarks share: two
 * rasters like the emulator's processing results, and many small squares.
 *
 * @module
 */
import { encode } from "fast-png";
import { writeGeoTiff } from "../../lib/emulator/mod.ts";

function field(x: number, y: number, seed: number): number {
  const waves = 0.3 * Math.sin(x * 0.012 + seed) * Math.cos(y * 0.015 - seed) +
    0.12 * Math.sin((x - y) * 0.05 + seed * 2);
  const noise = (Math.imul((x * 2654435761) ^ (y * 40503) ^ seed, 0x9e3779b1) >>> 0) / 2 ** 32;
  return Math.min(1, Math.max(0, 0.5 + waves + (noise - 0.5) * 0.07));
}

/**
 * Two rasters like the emulator's processing job task: a 1024×1024 RGB uint8
 * in UTM zone 33N near Berlin, and a 1280×1024 4-band uint16 (nodata 0, with
 * a nodata strip on its west side) in the same zone.
 *
 * @example
 * ```ts ignore
 * import { sampleRasters } from "./rasters.ts";
 * const [rgb, u16] = await sampleRasters();
 * ```
 */
export async function sampleRasters(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const n = 1024;
  const rgb = [0, 1, 2].map(() => new Uint8Array(n * n));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x, t = field(x, y, 3), crops = ((x >> 7) + (y >> 7)) % 2 === 0;
      const [r, g, b] = t < 0.28 ? [25, 60, 120] : crops ? [150, 140, 75] : [45, 95, 40];
      rgb[0][i] = r + t * 60, rgb[1][i] = g + t * 80, rgb[2][i] = b + t * 40;
    }
  }
  const w = 1280, h = 1024, strip = 150;
  const refl = [0, 1, 2, 3].map(() => new Uint16Array(w * h));
  for (let y = 0; y < h; y++) {
    for (let x = strip; x < w; x++) {
      const i = y * w + x, t = field(x, y, 9), water = t < 0.3;
      refl[0][i] = water ? 300 + t * 700 : 600 + t * 1300;
      refl[1][i] = water ? 500 + t * 800 : 700 + t * 1000;
      refl[2][i] = water ? 700 + t * 900 : 450 + t * 650;
      refl[3][i] = water ? 250 + t * 300 : 2400 + t * 2600;
    }
  }
  return [
    {
      name: "rgb_uint8.tif",
      bytes: await writeGeoTiff({
        width: n,
        height: n,
        bands: rgb,
        epsg: 32633,
        origin: [385_000, 5_825_000],
        pixelSize: [10, 10],
      }),
    },
    {
      name: "reflectance_uint16.tif",
      bytes: await writeGeoTiff({
        width: w,
        height: h,
        bands: refl,
        epsg: 32633,
        origin: [396_000, 5_822_000],
        pixelSize: [8, 8],
        nodata: 0,
        predictor: 2,
      }),
    },
  ];
}

/**
 * A FeatureCollection of `count` small squares near Berlin.
 *
 * @example
 * ```ts ignore
 * import { squares } from "./rasters.ts";
 * squares(4).features.length; // 4
 * ```
 */
export function squares(count: number) {
  const side = Math.ceil(Math.sqrt(count));
  const features = Array.from({ length: count }, (_, i) => {
    const w = 13.2 + (i % side) * 0.004, s = 52.4 + Math.floor(i / side) * 0.0025;
    const ring = [[w, s], [w + 0.003, s], [w + 0.003, s + 0.002], [w, s + 0.002], [w, s]];
    return {
      type: "Feature",
      properties: { uid: `f${i}`, cloudCover: i % 100 },
      geometry: { type: "Polygon", coordinates: [ring] },
    };
  });
  return { type: "FeatureCollection", features };
}

/** A small PNG image, like a quicklook. */
function tinyPng(rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(16 * 16 * 3);
  for (let i = 0; i < 256; i++) data.set(rgb, i * 3);
  return encode({ width: 16, height: 16, data, channels: 3, depth: 8 });
}

/** What {@linkcode jobFolder} wrote. */
export interface JobFolder {
  /** `project_p/job_j`. */
  folder: string;
  /** The jobtask ids, in folder order. */
  jobtasks: string[];
}

/**
 * A job's results laid out as a job download writes them:
 * `project_p/job_j/jobtask_{t}/` each with `data.json` and a raster (the
 * first with a manifest naming it `name`), and the job folder holding
 * `quicklook_{id}` files: one for the first jobtask's scene (by its
 * `sceneId`), one matching nothing.
 *
 * @example
 * ```ts ignore
 * const job = await jobFolder(dir, "pansharpen:1");
 * ```
 */
export async function jobFolder(dir: string, name: string): Promise<JobFolder> {
  const folder = `${dir}/project_p/job_j`;
  const jobtasks = ["aaaa-1111", "bbbb-2222"];
  for (const [k, id] of jobtasks.entries()) {
    const base = `${folder}/jobtask_${id}`;
    await Deno.mkdir(`${base}/scene${k}`, { recursive: true });
    const w = 13.3 + k * 0.2, s = 52.4;
    const ring = [[w, s], [w + 0.1, s], [w + 0.1, s + 0.06], [w, s + 0.06], [w, s]];
    const features = [0, 1].map((i) => ({
      type: "Feature",
      properties: { uid: `${id}-${i}`, sceneId: `S2_${k}_${i}`, index: i },
      geometry: {
        type: "Polygon",
        coordinates: [ring.map(([x, y]) => [x, y + i * 0.07])],
      },
    }));
    await Deno.writeTextFile(
      `${base}/data.json`,
      JSON.stringify({ type: "FeatureCollection", features }),
    );
    await Deno.writeFile(
      `${base}/scene${k}/scene${k}_0-0.tif`,
      await writeGeoTiff({
        width: 64,
        height: 48,
        bands: [0, 1, 2].map((b) => new Uint8Array(64 * 48).map((_, i) => (i + b * 60) % 256)),
        epsg: 4326,
        origin: [w, s + 0.13],
        pixelSize: [0.1 / 64, 0.13 / 48],
      }),
    );
    if (k === 0) {
      await Deno.writeTextFile(
        `${base}/.up42-manifest.json`,
        JSON.stringify({ manifest: "up42-jobtask-results", jobtaskId: id, jobtaskName: name }),
      );
    }
  }
  await Deno.writeFile(`${folder}/quicklook_S2_0_1.png`, tinyPng([200, 40, 40]));
  await Deno.writeFile(`${folder}/quicklook_S2_9_9.jpg.png`, tinyPng([40, 200, 40]));
  return { folder, jobtasks };
}
