/**
 * The palette quantiser (median cut over a 15-bit histogram, in
 * `lib/image/palette.ts`) against the maintained alternatives on a
 * rendered-scene stand-in: UPNG.js's `encode(…, 256)` (its own quantiser
 * and encoder) and image-q's Wu quantiser (nearest colour, no dithering,
 * encoded by the project's indexed encoder so that only the quantiser
 * differs). Time in this process, PNG size, and the RGB mean squared error
 * over opaque pixels after decoding the PNG back.
 *
 * @module
 */
import { applyPaletteSync, buildPaletteSync, utils } from "image-q";
import UPNG from "upng-js";
import { decodeImage } from "../../lib/image/decode.ts";
import { encodePalettePng } from "../../lib/image/palette.ts";
import { encodeIndexedPng } from "../../lib/image/png.ts";
import type { RgbaImage } from "../../lib/image/rgba.ts";
import { satelliteImage, timeInTurn } from "../support/images.ts";
import type { Figure } from "../support/measure.ts";

function upng(image: RgbaImage): Uint8Array {
  const { buffer, byteOffset, byteLength } = image.rgba;
  return new Uint8Array(
    UPNG.encode(
      [buffer.slice(byteOffset, byteOffset + byteLength)],
      image.width,
      image.height,
      256,
    ),
  );
}

function imageQ(image: RgbaImage): Uint8Array {
  const points = utils.PointContainer.fromUint8Array(image.rgba, image.width, image.height);
  const palette = buildPaletteSync([points], {
    colors: 256,
    paletteQuantization: "wuquant",
    colorDistanceFormula: "euclidean",
  });
  const mapped = applyPaletteSync(points, palette, {
    imageQuantization: "nearest",
    colorDistanceFormula: "euclidean",
  }).toUint32Array();
  const entries = palette.getPointContainer().getPointArray();
  const index = new Map(entries.map((p, i) => [p.uint32, i]));
  return encodeIndexedPng({
    width: image.width,
    height: image.height,
    indices: Uint8Array.from(mapped, (c) => index.get(c)!),
    palette: entries.map((p) => [p.r, p.g, p.b, p.a]),
  });
}

/** RGB mean squared error over the original's opaque pixels. */
function mse(original: RgbaImage, png: Uint8Array): number {
  const back = decodeImage(png, "out.png").rgba;
  let sum = 0, n = 0;
  for (let i = 0; i < original.width * original.height; i++) {
    if (original.rgba[i * 4 + 3] === 0) continue;
    for (let c = 0; c < 3; c++) sum += (original.rgba[i * 4 + c] - back[i * 4 + c]) ** 2;
    n += 3;
  }
  return sum / n;
}

/** Figures: project vs UPNG.js and vs image-q. */
export async function palette(runs: number): Promise<Figure[]> {
  const [width, height] = [1024, 800];
  const image = satelliteImage(width, height);
  const encoders: Record<string, (img: RgbaImage) => Uint8Array> = {
    project: encodePalettePng,
    "UPNG.js encode(256)": upng,
    "image-q Wu": imageQ,
  };
  // image-q takes seconds per run: at most 3.
  const times = await timeInTurn(
    Object.fromEntries(Object.entries(encoders).map(([name, fn]) => [name, () => fn(image)])),
    runs,
    { "image-q Wu": Math.min(runs, 3) },
  );
  const result = (name: string) => {
    const out = encoders[name](image);
    return { ms: times[name], kib: out.length / 1024, mse: mse(image, out) };
  };
  const project = result("project");
  const libraries = {
    "UPNG.js encode(256)": result("UPNG.js encode(256)"),
    "image-q Wu": result("image-q Wu"),
  };
  const size = `${width}×${height}`;
  const figures: Figure[] = [];
  for (const [name, lib] of Object.entries(libraries)) {
    figures.push(
      {
        figure: `palette PNG ${size}: time, project vs ${name}`,
        value: project.ms,
        unit: "ms",
        reference: { label: name, value: lib.ms },
        target: { text: "≤ 1× (keep: faster)", met: project.ms <= lib.ms },
      },
      {
        figure: `palette PNG ${size}: size, project vs ${name}`,
        value: project.kib,
        unit: "KiB",
        reference: { label: name, value: lib.kib },
        target: { text: "≤ 1× (keep: smaller)", met: project.kib <= lib.kib },
      },
      {
        figure: `palette PNG ${size}: RGB MSE, project vs ${name}`,
        value: project.mse,
        unit: "",
        reference: { label: name, value: lib.mse },
        note:
          `palette: in-process medians of ${runs}, taking turns (image-q: at most 3), after a warm-up; MSE over opaque ` +
          `pixels decoded back from the PNG (the project's is higher: no per-pixel search)`,
      },
    );
  }
  return figures;
}
