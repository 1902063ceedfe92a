import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { writeGeoTiff } from "../../lib/emulator/mod.ts";
import { ConfigError, RasterError } from "../../mod.ts";
import { plotQuicklooks, plotResults } from "../../lib/plot/mod.ts";
import { decodeImage } from "../../lib/image/decode.ts";
import { encodePng as toPng } from "../../lib/image/png.ts";
import type { RgbaImage } from "../../lib/image/rgba.ts";
import { caught } from "../support/errors.ts";

/** A uint8 RGB GeoTIFF of one colour, with a nodata strip on its left tenth. */
async function solid(rgb: [number, number, number], w = 60, h = 40): Promise<Uint8Array> {
  const bands = rgb.map((v) => new Uint8Array(w * h).map((_, i) => (i % w < w / 10 ? 0 : v)));
  return await writeGeoTiff({
    width: w,
    height: h,
    bands,
    epsg: 4326,
    origin: [0, 0],
    pixelSize: [1, 1],
    nodata: 0,
  });
}

function pixel(img: RgbaImage, x: number, y: number): number[] {
  const p = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [...img.rgba.subarray(p, p + 3)];
}

function darkPixels(img: RgbaImage, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (pixel(img, x, y).every((v) => v < 110)) n++;
  }
  return n;
}

const COLOURS: [number, number, number][] = [
  [200, 30, 30],
  [30, 200, 30],
  [30, 30, 200],
  [200, 200, 30],
  [30, 200, 200],
  [200, 30, 200],
  [120, 120, 250],
];

for (const n of [1, 2, 4, 7]) {
  Deno.test(`plotResults: grid of ${n} image(s) with titles`, async () => {
    const sources = [];
    for (let i = 0; i < n; i++) {
      sources.push({ name: `scene_${i}.tif`, bytes: await solid(COLOURS[i]) });
    }
    const fig = await plotResults({ filepaths: sources });
    assert.deepEqual([fig.width, fig.height], [1400, 800]);
    const img = decodeImage(fig.png, "fig.png");
    const cols = n === 1 ? 1 : 3, rows = Math.ceil(n / cols);
    const cw = 1400 / cols, ch = 800 / rows;
    for (let i = 0; i < n; i++) {
      const cx = (i % cols) * cw, cy = Math.floor(i / cols) * ch;
      // The image's colour at the cell centre (slightly right: the left strip is nodata).
      const got = pixel(img, cx + cw / 2 + cw * 0.1, cy + ch / 2 + 10);
      assert.deepEqual(got, COLOURS[i], `cell ${i}`);
      // Title glyphs: dark pixels in the band above the image.
      const titleRows = findTitleBand(img, cx, cy, cw, ch);
      assert.ok(titleRows > 20, `cell ${i}: title pixels ${titleRows}`);
    }
    if (n === 2) {
      // The third column of the row stays white.
      assert.deepEqual(pixel(img, 1400 * 5 / 6, 400), [255, 255, 255]);
    }
  });
}

function findTitleBand(img: RgbaImage, cx: number, cy: number, cw: number, ch: number): number {
  // The title sits above the image: scan the cell from its top to the first image row.
  let top = cy;
  while (top < cy + ch && pixel(img, cx + cw / 2 + cw * 0.1, top).every((v) => v > 240)) top++;
  const cell = darkPixels(
    img,
    Math.round(cx),
    Math.round(Math.max(cy, top - 40)),
    Math.round(cx + cw),
    Math.round(top),
  );
  return cell;
}

Deno.test("plotResults: nodata shows the white background; one image keeps its aspect", async () => {
  const fig = await plotResults({
    filepaths: [{ name: "a.tif", bytes: await solid([10, 10, 10], 200, 100) }],
    size: [400, 400],
  });
  const img = decodeImage(fig.png, "fig.png");
  // 200x100 in a ~380 wide box: about 380 x 190 pixels, the left tenth white.
  let dark = 0;
  for (let x = 0; x < 400; x++) if (pixel(img, x, 220)[0] === 10) dark++;
  assert.ok(dark > 320 && dark < 350, `dark run ${dark}`);
  let rowsDark = 0;
  for (let y = 0; y < 400; y++) if (pixel(img, 300, y)[0] === 10) rowsDark++;
  assert.ok(rowsDark > 170 && rowsDark < 200, `dark rows ${rowsDark}`);
});

Deno.test("plotResults: folders are walked, other formats skipped, output written atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/res/sub`, { recursive: true });
    await Deno.writeFile(`${dir}/res/b.tif`, await solid([200, 30, 30]));
    await Deno.writeFile(`${dir}/res/sub/a.TIFF`, await solid([30, 200, 30]));
    await Deno.writeTextFile(`${dir}/res/data.json`, "{}");
    const fig = await plotResults({
      filepaths: [`${dir}/res`, `${dir}/res/data.json`],
      output: `${dir}/plot.png`,
      titles: ["first", "second"],
      figsize: [6, 3],
    });
    assert.deepEqual([fig.width, fig.height, fig.path], [600, 300, `${dir}/plot.png`]);
    assert.deepEqual(decodeImage(await Deno.readFile(`${dir}/plot.png`), "p").width, 600);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["plot.png", "res"]);
    const format = await caught(
      () => plotResults({ filepaths: [`${dir}/res/data.json`] }),
      RasterError,
    );
    assert.equal(format.reason, "format");
    assert.match(format.detail, /\[\.tif, \.tiff\]/);
    const unwritable = await caught(
      () => plotResults({ filepaths: [`${dir}/res`], output: `${dir}/missing/x.png` }),
      ConfigError,
    );
    assert.equal(unwritable.setting, "output");
    assert.deepEqual([...Deno.readDirSync(dir)].length, 2);
    const missing = await caught(
      () => plotResults({ filepaths: [`${dir}/nope.tif`] }),
      RasterError,
    );
    assert.deepEqual([missing.file, missing.reason], [`${dir}/nope.tif`, "not-found"]);
    const two = await caught(
      () => plotResults({ filepaths: [`${dir}/res`], bands: [1, 2] }),
      ConfigError,
    );
    assert.equal(two.setting, "bands");
    const nine = await caught(
      () => plotResults({ filepaths: [`${dir}/res`], bands: [1, 2, 9] }),
      RasterError,
    );
    assert.deepEqual([nine.file, nine.reason], [`${dir}/res/b.tif`, "bands"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plotQuicklooks: PNG and JPEG, from files and memory", async () => {
  const w = 64, h = 48;
  const rgba = new Uint8ClampedArray(w * h * 4).map((
    _,
    i,
  ) => (i % 4 === 0 ? 220 : i % 4 === 3 ? 255 : 20));
  const png = toPng({ width: w, height: h, rgba });
  const jpg = jpeg.encode({ width: w, height: h, data: new Uint8Array(rgba.buffer) }, 95).data;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.png`, png);
    await Deno.writeFile(`${dir}/quicklook_123`, jpg); // saved without an extension
    const fig = await plotQuicklooks({
      filepaths: [`${dir}/a.png`, `${dir}/quicklook_123`, { name: "c.jpeg", bytes: jpg }],
    });
    assert.deepEqual([fig.width, fig.height], [800, 800]);
    const img = decodeImage(fig.png, "fig.png");
    for (let i = 0; i < 3; i++) {
      const [r, g, b] = pixel(img, 800 / 6 + (i * 800) / 3, 400);
      assert.ok(r > 200 && g < 40 && b < 40, `cell ${i}: ${r},${g},${b}`);
    }
    const tif = await caught(
      () => plotQuicklooks({ filepaths: [{ name: "x.tif", bytes: png }] }),
      RasterError,
    );
    assert.match(tif.detail, /\[\.jpg, \.jpeg, \.png\]/);
    const garbage = await caught(
      () => plotQuicklooks({ filepaths: [{ name: "x.png", bytes: new Uint8Array(10) }] }),
      RasterError,
    );
    assert.deepEqual([garbage.file, garbage.reason], ["x.png", "format"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plotResults: a colour-mapped band gets a colour bar; panels render concurrently", async () => {
  const ramp = new Float32Array(64 * 32).map((_, i) => i % 64);
  const bytes = await writeGeoTiff({
    width: 64,
    height: 32,
    bands: [ramp],
    epsg: 4326,
    origin: [0, 0],
    pixelSize: [1, 1],
  });
  const files = [0, 1, 2, 3].map((i) => ({ name: `r${i}.tif`, bytes }));
  const countColour = (png: Uint8Array, rgb: number[]) => {
    const img = decodeImage(png, "p.png");
    let n = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      if (rgb.every((v, k) => img.rgba[i * 4 + k] === v)) n++;
    }
    return n;
  };
  const yellow = [253, 231, 37]; // viridis' top colour
  const bar = await plotResults({ filepaths: files[0], cmap: "viridis", size: [300, 200] });
  const plain = await plotResults({
    filepaths: files[0],
    bands: [1],
    size: [300, 200],
    stretch: { min: 0, max: 10 },
  });
  // The bar's top end is viridis' top colour; a gray plot without a bar has none.
  assert.ok(countColour(bar.png, yellow) > 0);
  assert.equal(countColour(plain.png, yellow), 0);
  const oneByOne = await plotResults({
    filepaths: files,
    cmap: "magma",
    concurrency: 1,
    workers: false,
  });
  const together = await plotResults({ filepaths: files, cmap: "magma" });
  assert.deepEqual(together.png, oneByOne.png);
  const e = await caught(() => plotResults({ filepaths: files, concurrency: 0 }), ConfigError);
  assert.equal(e.setting, "concurrency");
  // One band without a colour map is drawn (and its bar) in gray, as if gray were asked for.
  const gray = await plotResults({
    filepaths: files[0],
    bands: [1],
    cmap: "Gray",
    size: [300, 200],
    stretch: { min: 0, max: 10 },
  });
  assert.deepEqual(gray.png, plain.png);
  const unknown = await caught(
    () => plotResults({ filepaths: files[0], cmap: "no-such-map" }),
    ConfigError,
  );
  assert.equal(unknown.setting, "cmap");
});

Deno.test("plotResults: of several failing panels the figure's first is reported, nothing written", async () => {
  const good = await solid([200, 30, 30]);
  const bad = (name: string) => ({ name, bytes: new TextEncoder().encode("not a tiff at all") });
  const dir = await Deno.makeTempDir();
  try {
    const e = await caught(
      () =>
        plotResults({
          filepaths: [{ name: "a.tif", bytes: good }, bad("b.tif"), bad("c.tif"), bad("d.tif")],
          concurrency: 4,
          output: `${dir}/fig.png`,
        }),
      RasterError,
    );
    assert.deepEqual([e.file, e.reason], ["b.tif", "format"]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
