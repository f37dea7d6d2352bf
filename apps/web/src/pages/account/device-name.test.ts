import { describe, expect, it } from "vitest";
import { en } from "../../i18n/en.js";
import de from "../../i18n/locales/de.js";
import { deviceName } from "./device-name.js";

describe("deviceName", () => {
  it("says the API's label in the page's language, keeping the names", () => {
    expect(deviceName("Chrome on Linux", de)).toBe("Chrome unter Linux");
    expect(deviceName("Microsoft Edge on Windows", de)).toBe("Microsoft Edge unter Windows");
    expect(deviceName("A browser on iOS", de)).toBe("Ein Browser unter iOS");
    expect(deviceName("Unknown device", de)).toBe("Unbekanntes Gerät");
    expect(deviceName("Firefox", de)).toBe("Firefox");
  });

  it("leaves English as the API words it", () => {
    for (const label of ["Chrome on Linux", "A browser on iOS", "Unknown device", "Firefox"]) {
      expect(deviceName(label, en)).toBe(label);
    }
  });
});
