import assert from "node:assert/strict";
import { decodeImage } from "../../lib/image/decode.ts";
import { encodePng } from "../../lib/image/png.ts";

/** A width x height image with varied colours, every pixel opaque. */
function opaqueImage(width: number, height: number) {
  const rgba = new Uint8ClampedArray(width * height * 4).map((_, i) =>
    i % 4 === 3 ? 255 : (i * 37 + (i >> 7)) % 256
  );
  return { width, height, rgba };
}

Deno.test("encodePng: opaque images are written as RGB, others as RGBA, pixels kept", () => {
  const colourType = (png: Uint8Array) => png[25];
  const opaque = opaqueImage(23, 9);
  const rgb = encodePng(opaque);
  assert.equal(colourType(rgb), 2);
  assert.deepEqual(decodeImage(rgb, "a.png").rgba, opaque.rgba);
  // One pixel that is not opaque, first, in the middle or last, makes the whole image RGBA.
  for (const at of [0, 100, 23 * 9 - 1]) {
    const image = opaqueImage(23, 9);
    image.rgba[at * 4 + 3] = 254;
    const rgba = encodePng(image);
    assert.equal(colourType(rgba), 6, `pixel ${at}`);
    assert.deepEqual(decodeImage(rgba, "b.png").rgba, image.rgba);
  }
});
