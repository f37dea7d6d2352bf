import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { escapeHtmlLikeReact } from "./html-escape.js";

function reactEscaped(text: string): string {
  return renderToStaticMarkup(createElement("p", null, text)).slice("<p>".length, -"</p>".length);
}

describe("escapeHtmlLikeReact", () => {
  const allAscii = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));

  it.each([
    "",
    "12345678",
    `<script>alert("x")</script>`,
    "&amp; &lt; &#x27;",
    `'"'"`,
    "<<>>&&",
    "trailing &",
    "& leading",
    "ünïcødé 😀 עברית",
    allAscii,
  ])("matches React for %j", (text) => {
    expect(escapeHtmlLikeReact(text)).toBe(reactEscaped(text));
  });

  it("returns the same string when nothing needs escaping", () => {
    const text = "nothing to see";
    expect(escapeHtmlLikeReact(text)).toBe(text);
  });
});
