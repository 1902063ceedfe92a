/**
 * The title rasteriser (`lib/image/text.ts` laying out Roboto with
 * opentype.js, `lib/image/glyph_fill.ts` filling the outlines with 16
 * sub-scanlines per pixel) against pureimage's `fillText`, the maintained
 * pure-JavaScript canvas: nine plot titles on a 1400×800 canvas, warm, in
 * this process; and how a horizontal stroke's edges come out (pureimage
 * samples one row per pixel: no vertical antialiasing). pureimage loads a
 * font only from a file path, so it runs here with the TTF written to a
 * temporary file (a user would need `--allow-read` for it).
 *
 * @module
 */
import vfs from "pdfmake/build/vfs_fonts.js";
import * as PImage from "pureimage";
import { whiteCanvas } from "../../lib/image/rgba.ts";
import { drawText, loadFont } from "../../lib/image/text.ts";
import { timeInTurn } from "../support/images.ts";
import type { Figure } from "../support/measure.ts";

/** Nine titles of a 3 × 3 plot grid, with the characters real titles hold. */
const TITLES = [
  "Sentinel-2 L2A 2024-06-12 true colour",
  "NDVI, Pléiades Neo tile 3 of 9 (stretched)",
  "SPOT 6/7 panchromatic — 2024-05-30 08:12Z",
  "Band 8A near infrared, 2–98 % stretch",
  "Water mask from SAR (Capella), quicklook",
  "Digital elevation model 30 m: hillshade",
  "Cloud probability ≥ 40 %, scene 0042",
  "Land cover 2023 (ESA WorldCover) AOI 7",
  "Change map: 2023-09 vs 2024-09, Δ NDVI",
];
const WIDTH = 1400, HEIGHT = 800, SIZE = 16;
const place = (i: number) => ({ x: (i % 3) * 466 + 233, y: Math.floor(i / 3) * 266 + 12 });

/** Draws titles on a fresh canvas, or on the same one again (`reuse`, to time only the text). */
type Draw = (titles: string[], size: number, reuse?: boolean) => Uint8ClampedArray;

function project(): Draw {
  let canvas = whiteCanvas(WIDTH, HEIGHT);
  return (titles, size, reuse) => {
    if (!reuse) canvas = whiteCanvas(WIDTH, HEIGHT);
    titles.forEach((t, i) => drawText(canvas, t, place(i).x, place(i).y, size));
    return canvas.rgba;
  };
}

function pureimage(fontFile: string): Draw {
  PImage.registerFont(fontFile, "Roboto").loadSync();
  let bitmap = PImage.make(WIDTH, HEIGHT);
  return (titles, size, reuse) => {
    if (!reuse) bitmap = PImage.make(WIDTH, HEIGHT);
    const ctx = bitmap.getContext("2d");
    if (!reuse) {
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, WIDTH, HEIGHT);
    }
    ctx.fillStyle = "#141414";
    ctx.font = `${size}px Roboto`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    titles.forEach((t, i) => ctx.fillText(t, place(i).x, place(i).y));
    return new Uint8ClampedArray(bitmap.data.buffer);
  };
}

/**
 * Pixels of a vertical line through an em dash at 48 px that are neither
 * background nor full ink: its top and bottom edges antialiased, or not.
 */
function partialEdgePixels(draw: Draw): number {
  const rgba = draw(["—"], 48);
  const x = place(0).x;
  const column: number[] = [];
  for (let y = 0; y < 80; y++) column.push(rgba[(y * WIDTH + x) * 4]);
  const ink = Math.min(...column);
  return column.filter((v) => v > ink + 8 && v < 247).length;
}

/** Figures: warm drawing time and vertical edge antialiasing, project vs pureimage. */
export async function text(runs: number): Promise<Figure[]> {
  const fontFile = await Deno.makeTempFile({ suffix: ".ttf" });
  try {
    const ttf = Uint8Array.fromBase64((vfs as Record<string, string>)["Roboto-Regular.ttf"]);
    await Deno.writeFile(fontFile, ttf);
    await loadFont();
    const ours = project(), theirs = pureimage(fontFile);
    const label = "pureimage fillText";
    const t = await timeInTurn({
      project: () => ours(TITLES, SIZE, true),
      pureimage: () => theirs(TITLES, SIZE, true),
    }, runs);
    return [
      {
        figure: "9 titles at 16 px: drawing time (warm, canvas made beforehand)",
        value: t.project,
        unit: "ms",
        reference: { label, value: t.pureimage },
      },
      {
        figure: "em dash at 48 px: antialiased pixels on its top and bottom edges",
        value: partialEdgePixels(ours),
        unit: "",
        reference: { label, value: partialEdgePixels(theirs) },
        target: { text: "> 0 (keep: vertical antialiasing)", met: partialEdgePixels(ours) > 0 },
        note:
          `text: in-process medians of ${runs}, taking turns, after a warm-up; pureimage also needs the font ` +
          "as a file path (--allow-read), see the font figures",
      },
    ];
  } finally {
    await Deno.remove(fontFile);
  }
}
