import { describe, expect, it } from "vitest";
import { createPlaceholders, cutAtPlaceholders, fillSlots } from "./slot-template.js";

describe("slot templates", () => {
  it("cuts at every placeholder, repeated or not, and fills them back", () => {
    const placeholders = createPlaceholders(11);
    const [a, b] = placeholders;
    const last = placeholders[10];
    const document = `<p>${a}</p>${last}<i>${b}${a}</i>`;
    const template = cutAtPlaceholders(document, placeholders);
    expect(template.statics).toEqual(["<p>", "</p>", "<i>", "", "</i>"]);
    expect(template.slots).toEqual([0, 10, 1, 0]);
    const values = placeholders.map((_, index) => `v${index}`);
    expect(fillSlots(template, values)).toBe("<p>v0</p>v10<i>v1v0</i>");
  });

  it("leaves a document without placeholders whole", () => {
    const template = cutAtPlaceholders("static", createPlaceholders(1));
    expect(fillSlots(template, ["unused"])).toBe("static");
  });

  it("makes placeholders that survive escaping and differ between compilations", () => {
    const [first] = createPlaceholders(1);
    const [second] = createPlaceholders(1);
    expect(first).toMatch(/^\w+$/);
    expect(first).not.toBe(second);
  });
});
