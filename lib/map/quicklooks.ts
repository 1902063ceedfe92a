/**
 * Quicklooks drawn over their scenes' footprints. `downloadQuicklooks`
 * writes each quicklook as `quicklook_{id}` plus the extension of its image
 * format (unless the id already ends in it). In UP42 results the quicklook
 * id names the scene, as the scene's product name does in its feature:
 * a real `data.json` holds it as `identification.externalId` (and, with a
 * format extension, as `archive.filename`), the emulator's as `sceneId`
 * too. So a quicklook belongs to the feature one of whose identifiers —
 * `id`, `uid`, `sceneId`, `identification.externalId`, or
 * `archive.filename` without its extension — equals the file's id, with or
 * without an image extension at its end. A quicklook that no feature claims
 * is reported, not drawn: there is no footprint to put it on.
 *
 * @module
 */
import { basename } from "node:path";
import { IMAGE_MEDIA_TYPES, imageFormat } from "../internal/magic.ts";

const QUICKLOOK = /^quicklook_(.+)$/;
const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif)$/i;

/**
 * Whether a file name is a quicklook's, as `downloadQuicklooks` names them.
 *
 * @example
 * ```ts
 * import { isQuicklookName } from "./quicklooks.ts";
 * if (!isQuicklookName("x/quicklook_S2A_1.png") || isQuicklookName("a.png")) throw new Error();
 * ```
 */
export function isQuicklookName(name: string): boolean {
  const base = basename(name);
  return QUICKLOOK.test(base) && IMAGE_EXTENSION.test(base);
}

/**
 * The ids a quicklook file may stand for: the name without `quicklook_`,
 * and without its image extension (an id may end in one itself).
 *
 * @example
 * ```ts
 * import { quicklookIds } from "./quicklooks.ts";
 * if (quicklookIds("quicklook_S2B_1.jpg").join() !== "S2B_1.jpg,S2B_1") throw new Error();
 * ```
 */
export function quicklookIds(name: string): string[] {
  const id = basename(name).match(QUICKLOOK)?.[1];
  if (!id) return [];
  const bare = id.replace(IMAGE_EXTENSION, "");
  return bare && bare !== id ? [id, bare] : [id];
}

/**
 * A feature's identifiers that a quicklook id can equal.
 *
 * @example
 * ```ts
 * import { featureIdentifiers } from "./quicklooks.ts";
 * const ids = featureIdentifiers({ properties: { identification: { externalId: "S2A_1" }, archive: { filename: "S2A_1.SAFE" } } });
 * if (!ids.includes("S2A_1")) throw new Error();
 * ```
 */
export function featureIdentifiers(feature: { id?: unknown; properties?: unknown }): string[] {
  const p = (feature.properties ?? {}) as Record<string, any>;
  const out = [
    feature.id,
    p.id,
    p.uid,
    p.sceneId,
    p.identification?.externalId,
    typeof p.archive?.filename === "string"
      ? p.archive.filename.replace(/\.[A-Za-z0-9]+$/, "")
      : undefined,
  ];
  return out.filter((v): v is string | number =>
    (typeof v === "string" && v !== "") || typeof v === "number"
  ).map(String);
}

/**
 * The `data:` URL of a quicklook's bytes, or undefined when they are not a
 * PNG, JPEG, WebP or GIF image.
 *
 * @example
 * ```ts
 * import { quicklookUrl } from "./quicklooks.ts";
 * const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
 * if (!quicklookUrl(png)?.startsWith("data:image/png;base64,")) throw new Error();
 * ```
 */
export function quicklookUrl(bytes: Uint8Array): string | undefined {
  const format = imageFormat(bytes);
  // A browser's <img> does not show TIFF.
  const type = format && format !== "tiff" ? IMAGE_MEDIA_TYPES[format] : undefined;
  return type ? `data:${type};base64,${bytes.toBase64()}` : undefined;
}
