import { describe, expect, it } from "vitest";
import { negotiateLocale, SUPPORTED_LOCALES } from "./locale.js";

describe("negotiateLocale", () => {
  it.each([
    [undefined, "en"],
    ["", "en"],
    ["de", "de"],
    ["de-DE", "de"],
    ["de-AT,de;q=0.9", "de"],
    ["fr-FR,fr;q=0.9,de;q=0.8,en;q=0.7", "de"],
    ["en-US,en;q=0.9,de;q=0.8", "en"],
    ["de;q=0.5,en;q=0.9", "en"],
    ["fr, ja", "en"],
    ["*", "en"],
    ["de;q=0", "en"],
    ["garbage;;;q=x", "en"],
  ])("%s -> %s", (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });

  it("answers only supported languages, the default first", () => {
    expect(SUPPORTED_LOCALES[0]).toBe("en");
    expect(SUPPORTED_LOCALES).toContain("de");
  });
});
