/**
 * Image encoding and drawing: RGBA images as plain data, the PNG encoder
 * (RGBA and palette), quicklook decoding, and titles drawn with a bundled
 * font. Used by the raster, plot and map stages.
 *
 * @module
 */
export { blend, resize, type RgbaImage, whiteCanvas } from "./rgba.ts";
export { encodeIndexedPng, encodePng, type IndexedImage, type PngOptions } from "./png.ts";
export { encodePalettePng, quantize } from "./palette.ts";
export { decodeImage } from "./decode.ts";
export { drawText, fitText, loadFont, textWidth } from "./text.ts";
