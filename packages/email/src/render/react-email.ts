import { render, toPlainText } from "@react-email/components";
import type { ReactElement } from "react";

/**
 * html-to-text shouts headings in capitals by default. Turned off: capitals read as
 * shouting in a calm email, and a converter that changes case would also change the
 * fast path's placeholders (and the values a full render puts in a heading).
 */
const TEXT_OPTIONS = {
  selectors: ["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({
    selector,
    options: { uppercase: false },
  })),
};

/**
 * The real, slow render: React Email's HTML (XHTML doctype, no prettifying) and the
 * plain-text part derived from that HTML. Both the fast path's one-off compilation and
 * `renderFull` go through here, so they cannot drift apart.
 */
export async function renderWithReactEmail(
  element: ReactElement,
): Promise<{ html: string; text: string }> {
  const html = await render(element);
  return { html, text: toPlainText(html, TEXT_OPTIONS) };
}
