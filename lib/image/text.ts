/**
 * Draws single-line text (plot titles) into an RGBA image with the Roboto
 * font bundled in pdfmake's virtual file system, rasterised by
 * `glyph_fill.ts` (see there why not pureimage).
 *
 * The font comes from a JavaScript module because that is the one way its
 * bytes reach a program without a permission or an unstable flag. Font
 * packages (@fontsource, or pdfmake's own TTF beside the bundle) ship
 * files: importing a file as bytes needs `--unstable-raw-imports` from every
 * user (a dependency's own `"unstable": ["raw-imports"]` does not apply to
 * the programs that import it), and reading it needs `--allow-read`. The
 * bundle costs about as much to import and parse as the bare TTF
 * (`deno task bench handwritten`, `bench/handwritten/font.ts`).
 *
 * Loading it (opentype.js, the fonts' module, parsing) takes about 150 ms
 * of processor time, so it is loaded by {@linkcode loadFont} when a figure
 * needs it, while the figure's rasters decode; glyph outlines are parsed as
 * they are drawn (opentype.js's `lowMemory`).
 *
 * @module
 */

import { fillCoverage, flatten, type PathCommand } from "./glyph_fill.ts";
import type { RgbaImage } from "./rgba.ts";

interface Glyph {
  advanceWidth?: number;
  getPath(x: number, y: number, size: number): { commands: PathCommand[] };
}

interface Font {
  charToGlyph(char: string): Glyph;
  getKerningValue(left: Glyph, right: Glyph): number;
  ascender: number;
  descender: number;
  unitsPerEm: number;
}

let font: Font | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the font (once per process); the other functions here need it.
 *
 * @example
 * ```ts
 * import { loadFont, textWidth } from "./text.ts";
 * await loadFont();
 * if (!(textWidth("Hi", 10) > 0)) throw new Error();
 * ```
 */
export function loadFont(): Promise<void> {
  return loading ??= (async () => {
    const [{ default: opentype }, { default: vfs }] = await Promise.all([
      import("opentype.js"),
      import("pdfmake/build/vfs_fonts.js"),
    ]);
    const bytes = Uint8Array.fromBase64((vfs as Record<string, string>)["Roboto-Regular.ttf"]);
    font = opentype.parse(bytes.buffer, { lowMemory: true }) as Font;
  })();
}

function roboto(): Font {
  if (!font) throw new Error("the font is not loaded: await loadFont() first");
  return font;
}

/**
 * Glyphs with their pen positions. Laid out here, glyph by glyph with pair
 * kerning, because opentype.js's own text shaping throws on some of
 * Roboto's substitution lookups.
 */
function layout(text: string, size: number): { glyphs: Glyph[]; xs: number[]; width: number } {
  const f = roboto();
  const scale = size / f.unitsPerEm;
  const glyphs: Glyph[] = [], xs: number[] = [];
  let x = 0;
  let prev: Glyph | undefined;
  for (const ch of text) {
    const g = f.charToGlyph(ch);
    if (prev) x += f.getKerningValue(prev, g) * scale;
    glyphs.push(g);
    xs.push(x);
    x += (g.advanceWidth ?? 0) * scale;
    prev = g;
  }
  return { glyphs, xs, width: x };
}

/**
 * Width in pixels of `text` at `size` pixels per em.
 *
 * @example
 * ```ts
 * import { loadFont, textWidth } from "./text.ts";
 * await loadFont();
 * if (!(textWidth("Hello", 16) > 20)) throw new Error();
 * ```
 */
export function textWidth(text: string, size: number): number {
  return layout(text, size).width;
}

/**
 * Shortens `text` with an ellipsis until it fits `maxWidth` pixels.
 *
 * @example
 * ```ts
 * import { fitText, loadFont } from "./text.ts";
 * await loadFont();
 * if (!fitText("a very long title indeed", 12, 60).endsWith("…")) throw new Error();
 * ```
 */
export function fitText(text: string, size: number, maxWidth: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(text.slice(0, mid) + "…", size) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? "" : text.slice(0, lo) + "…";
}

/**
 * Draws `text` horizontally centred on `centerX`, its line box (ascender to
 * descender) starting at `top`, antialiased, over what is already there.
 *
 * @example
 * ```ts
 * import { drawText, loadFont } from "./text.ts";
 * import { whiteCanvas } from "./rgba.ts";
 * await loadFont();
 * const canvas = whiteCanvas(120, 30);
 * drawText(canvas, "Title", 60, 4, 18);
 * if (!canvas.rgba.some((v) => v < 128)) throw new Error("no dark glyph pixels");
 * ```
 */
export function drawText(
  image: RgbaImage,
  text: string,
  centerX: number,
  top: number,
  size: number,
  color: [number, number, number] = [20, 20, 20],
): void {
  if (!text) return;
  const f = roboto();
  const scale = size / f.unitsPerEm;
  const ascent = f.ascender * scale, lineHeight = (f.ascender - f.descender) * scale;
  const laid = layout(text, size);
  const width = Math.ceil(laid.width) + 2;
  const height = Math.ceil(lineHeight) + 2;
  const x0 = Math.round(centerX - width / 2), y0 = Math.round(top);
  const segments: number[] = [];
  laid.glyphs.forEach((g, i) => {
    for (const v of flatten(g.getPath(1 + laid.xs[i], ascent + 1, size).commands)) segments.push(v);
  });
  const cov = fillCoverage(segments, width, height);
  for (let y = 0; y < height; y++) {
    const dy = y0 + y;
    if (dy < 0 || dy >= image.height) continue;
    for (let x = 0; x < width; x++) {
      const dx = x0 + x;
      const a = Math.min(1, cov[y * width + x]);
      if (a <= 0 || dx < 0 || dx >= image.width) continue;
      const p = (dy * image.width + dx) * 4;
      for (let c = 0; c < 3; c++) image.rgba[p + c] = color[c] * a + image.rgba[p + c] * (1 - a);
      image.rgba[p + 3] = 255 * a + image.rgba[p + 3] * (1 - a);
    }
  }
}
