/**
 * Feature properties of the seeded results, shaped like a real UP42
 * `data.json` (a Sentinel-2 scene's catalogue record plus `up42.data_path`).
 *
 * @module
 */
import proj4 from "proj4";

const UTM_33N = "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs";

/**
 * Converts UTM zone 33N metres to `[lon, lat]` degrees.
 *
 * @example
 * ```ts
 * import { utmToLonLat } from "./features.ts";
 * const [lon, lat] = utmToLonLat(385000, 5825000);
 * if (lon.toFixed(2) !== "13.30" || lat.toFixed(2) !== "52.56") throw new Error();
 * ```
 */
export function utmToLonLat(x: number, y: number): [number, number] {
  return proj4(UTM_33N, "EPSG:4326", [x, y]) as [number, number];
}

const MISSIONS = ["A", "B"];

/**
 * The properties of seeded feature number `index`, pointing at `dataPath`.
 *
 * @example
 * ```ts
 * import { featureProperties } from "./features.ts";
 * if (featureProperties(0, "a/a_0-0.tif")["up42.data_path"] !== "a/a_0-0.tif") throw new Error();
 * ```
 */
export function featureProperties(index: number, dataPath: string): Record<string, unknown> {
  const mission = MISSIONS[index % 2];
  const day = 20 + index;
  const stamp = Date.UTC(2019, 11, day, 10, 14, 31);
  const name = `S2${mission}_MSIL1C_201912${day}T101431_N0208_R022_T33UUU_201912${day}T105312`;
  return {
    uid: `21ac03b7-1b1e-43c8-b385-56fde04610a${index}`,
    sceneId: name,
    timeStamp: stamp,
    cloudCoverage: Math.round((1.0068 + index * 3.7) * 1e4) / 1e4,
    identification: {
      tileId: "33UUU",
      profile: "Image",
      externalId: name,
      collection: "Sentinel-2",
      type: "S2MSI1C",
    },
    acquisition: {
      mission: "Sentinel-2",
      missionCode: `S2${mission}`,
      missionName: `Sentinel-2${mission}`,
      sensorId: "MSI",
      sensorMode: "INS-NOBS",
      beginViewingDate: stamp,
      endViewingDate: stamp,
    },
    orbit: { relativeNumber: 22, number: 23471 + index, direction: "DESCENDING" },
    production: { levelCode: "Level-1C", ongoing: false, baseline: "02.08" },
    archive: { filename: `${name}.SAFE`, format: "SAFE", size: 566 + index },
    contentDescription: { cloudCoverPercentage: Math.round((1.0068 + index * 3.7) * 1e4) / 1e4 },
    "up42.data_path": dataPath,
  };
}
