/**
 * The legend of a single-band raster drawn with a colour map: the map's
 * colours from low to high and the values they stand for, so a reader can
 * tell what a colour means. Values beyond the ends are drawn in the end
 * colours, which the labels say with ≤ and ≥.
 *
 * @module
 */
import { colormapLut } from "../raster/colormap.ts";
import type { PageLegend } from "./page.ts";

function label(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/**
 * A legend for a raster rendered with colour map `cmap` whose stretch mapped
 * `range` to the ends of the colour map.
 *
 * @example
 * ```ts
 * import { legendFor } from "./legend.ts";
 * const legend = legendFor("ndvi.tif", "viridis", [-0.2, 0.8]);
 * if (legend.labels.join(" ") !== "≤ -0.2 0.05 0.3 0.55 ≥ 0.8") throw new Error(legend.labels.join(" "));
 * ```
 */
export function legendFor(name: string, cmap: string, range: [number, number]): PageLegend {
  const lut = colormapLut(cmap);
  const colors: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const k = Math.round((i / 10) * 255) * 3;
    colors.push(`rgb(${lut[k]},${lut[k + 1]},${lut[k + 2]})`);
  }
  const [low, high] = range;
  const labels = [0, 0.25, 0.5, 0.75, 1].map((t) => label(low + (high - low) * t));
  labels[0] = `≤ ${labels[0]}`;
  labels[4] = `≥ ${labels[4]}`;
  return { title: `${name} (${cmap})`, colors, labels };
}
