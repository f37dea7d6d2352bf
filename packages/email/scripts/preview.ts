/**
 * Renders every template with sample data to preview/*.html, plus an index linking them.
 * Usage: pnpm --filter @otp/email email:preview
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRenderer, EMAIL_KINDS, escapeHtmlLikeReact } from "../src/index.js";
import { SAMPLE_CONFIG, sampleMessage } from "./sample-messages.js";

const outDir = join(import.meta.dirname, "..", "preview");
await mkdir(outDir, { recursive: true });

const renderer = createRenderer(SAMPLE_CONFIG);
const rows: string[] = [];
for (const locale of renderer.locales) {
  for (const kind of EMAIL_KINDS) {
    const email = await renderer.render(sampleMessage(kind), locale);
    const name = `${locale}-${kind.toLowerCase().replaceAll("_", "-")}`;
    await writeFile(join(outDir, `${name}.html`), email.html);
    await writeFile(join(outDir, `${name}.txt`), email.text);
    rows.push(
      `<tr><td>${escapeHtmlLikeReact(locale)}</td><td>${kind}</td><td>${escapeHtmlLikeReact(email.subject)}</td>` +
        `<td><a href="${name}.html">HTML</a> · <a href="${name}.txt">text</a></td></tr>`,
    );
  }
}

const index = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>@otp/email previews</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left}</style>
</head><body><h1>@otp/email previews</h1>
<table><tr><th>Locale</th><th>Kind</th><th>Subject</th><th>Open</th></tr>
${rows.join("\n")}
</table></body></html>
`;
const indexPath = join(outDir, "index.html");
await writeFile(indexPath, index);
console.log(`Wrote ${rows.length} previews. Open file://${indexPath}`);
