/**
 * The module's name and version, read from deno.json at build time (a JSON
 * import needs no file permission at run time).
 *
 * @module
 */
import meta from "../deno.json" with { type: "json" };

/**
 * The package name, e.g. `@up42/jobtask`.
 *
 * @example
 * ```ts
 * import { MODULE_NAME } from "@up42/jobtask";
 * if (MODULE_NAME !== "@up42/jobtask") throw new Error(MODULE_NAME);
 * ```
 */
export const MODULE_NAME: string = meta.name;

/**
 * The package version, e.g. `0.1.0`.
 *
 * @example
 * ```ts
 * import { MODULE_VERSION } from "@up42/jobtask";
 * if (!/^\d+\.\d+\.\d+/.test(MODULE_VERSION)) throw new Error(MODULE_VERSION);
 * ```
 */
export const MODULE_VERSION: string = meta.version;

/**
 * The `User-Agent` every API call carries: module name and version, and the runtime.
 *
 * @example
 * ```ts
 * import { USER_AGENT } from "./version.ts";
 * if (!USER_AGENT.startsWith("@up42/jobtask/")) throw new Error(USER_AGENT);
 * ```
 */
export const USER_AGENT: string = `${MODULE_NAME}/${MODULE_VERSION} deno/${Deno.version.deno}`;
