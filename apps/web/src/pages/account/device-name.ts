import type { Catalogue } from "../../i18n/index.js";

/**
 * The API's device label in the page's language. The API words it in English from
 * the User-Agent ("Chrome on Linux", "A browser on iOS", "Firefox", "Unknown
 * device"); the browser and system names are names, the words around them are
 * translated. A label of another shape is shown as it came.
 */
export function deviceName(label: string, t: Catalogue): string {
  const words = t.devices;
  if (label === "Unknown device") return words.unknown;
  const onSystem = /^A browser on (.+)$/.exec(label);
  if (onSystem?.[1] !== undefined) return words.aBrowserOn(onSystem[1]);
  const browserOn = /^(.+?) on (.+)$/.exec(label);
  if (browserOn?.[1] !== undefined && browserOn[2] !== undefined) {
    return words.browserOn(browserOn[1], browserOn[2]);
  }
  return label;
}
