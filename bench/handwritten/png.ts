/**
 * The PNG encoder (`lib/image/png.ts`: "up" filter, `node:zlib` deflate
 * with its run-length strategy, RGB when opaque, `zlib.crc32`) against fast-png's `encode` (deflate in JavaScript) on
 * images the size of a plot and of a large figure.
 *
 * @module
 */
import { encode } from "fast-png";
import { encodePng } from "../../lib/image/png.ts";
import { satelliteImage, timeInTurn } from "../support/images.ts";
import type { Figure } from "../support/measure.ts";

/** Figures: project vs fast-png, time and size. */
export async function png(runs: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [width, height] of [[1400, 1400], [4000, 2300]]) {
    const image = satelliteImage(width, height);
    const data = new Uint8Array(image.rgba.buffer);
    const fastPng = () => encode({ width, height, data, channels: 4, depth: 8 });
    const t = await timeInTurn({ ours: () => encodePng(image), fastPng }, runs);
    const [ours, theirs] = [t.ours, t.fastPng];
    const size = `${width}×${height}`;
    figures.push(
      {
        figure: `PNG ${size}: time, encodePng vs fast-png`,
        value: ours,
        unit: "ms",
        reference: { label: "fast-png", value: theirs },
        target: { text: "≤ 1× (keep: faster)", met: ours <= theirs },
      },
      {
        figure: `PNG ${size}: size, encodePng vs fast-png`,
        value: encodePng(image).length / 1024,
        unit: "KiB",
        reference: { label: "fast-png", value: fastPng().length / 1024 },
        note: `png: in-process medians of ${runs}, taking turns, after a warm-up`,
      },
    );
  }
  return figures;
}
