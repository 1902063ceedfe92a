/**
 * Notebook display: `show(result)` makes a plot, render, map, feature
 * table or quicklook display inline in a Deno Jupyter notebook, without
 * changing the result.
 *
 * @example
 * ```ts
 * import { show } from "@up42/jobtask/notebook";
 * const shown = show({ columns: ["geometry"], rows: [] });
 * if (typeof shown !== "object") throw new Error();
 * ```
 *
 * @module
 */
export {
  type Displayable,
  JUPYTER_DISPLAY,
  jupyterFrame,
  type MimeBundle,
  mimeBundle,
  show,
} from "./display.ts";
