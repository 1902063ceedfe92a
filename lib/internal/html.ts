/**
 * HTML escaping for text and attribute values: the one place that turns
 * untrusted text (titles, property names, whole pages for `srcdoc`) into
 * markup-safe text.
 *
 * @module
 */

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes `& < > " '` for HTML text and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * if (escapeHtml("<img src=x>") !== "&lt;img src=x&gt;") throw new Error();
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
