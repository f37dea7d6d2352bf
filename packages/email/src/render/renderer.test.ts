import { describe, expect, it } from "vitest";
import { SAMPLE_LINK_TOKEN, sampleMessage as sharedSample } from "../../scripts/sample-messages.js";
import { en } from "../i18n/en.js";
import { BUILT_IN_LOCALES } from "../i18n/index.js";
import type { Messages } from "../i18n/messages.js";
import {
  CODE_EMAIL_KINDS,
  EMAIL_KINDS,
  type EmailKind,
  type EmailMessage,
  UNKNOWN_BROWSER,
  UNKNOWN_SYSTEM,
} from "../kinds.js";
import { createRenderer } from "./renderer.js";

const config = { productName: "Acme", baseUrl: "https://acme.example/" };
const changedAt = new Date("2025-11-25T07:53:00Z");

/** A plain, realistic message of each kind (the preview's samples, with this suite's code). */
function sampleMessage(kind: EmailKind, to?: string, code = "12345678"): EmailMessage {
  return sharedSample(kind, { to, code });
}

// Everything React escapes, an already-escaped entity, quotes of both kinds, non-Latin
// scripts, an emoji and right-to-left text.
const trickyAddress = `<script>alert("x")</script>&amp;'o'@exämple.com`;
const trickyCode = `<b>"1&2'</b>😀`;
const unicodeAddress = "ünïcødé.名前+עברית@例え.jp";

describe("every kind", () => {
  const renderer = createRenderer(config);

  for (const kind of EMAIL_KINDS) {
    describe(kind, () => {
      const isCode = (CODE_EMAIL_KINDS as readonly string[]).includes(kind);

      it("puts the code and the expiry in words in HTML and text, never the code in the subject", async () => {
        const email = await renderer.render(sampleMessage(kind));
        expect(email.subject).toContain("Acme");
        expect(email.subject).not.toMatch(/\d{4}/);
        for (const part of [email.html, email.text]) {
          expect(part).toContain("alice@example.com");
          if (isCode) {
            expect(part).toContain("12345678");
            expect(part).toContain("This code expires in 15 minutes.");
            expect(part).toContain("Any code we sent you before no longer works.");
          } else {
            expect(part).not.toContain("12345678");
            expect(part).not.toContain("expires");
          }
        }
        expect(email.html.startsWith("<!DOCTYPE html")).toBe(true);
        expect(email.text).not.toContain("<");
      });

      it("escapes values in HTML like React and keeps them raw in text", async () => {
        const email = await renderer.render(sampleMessage(kind, trickyAddress, trickyCode));
        expect(email.html).not.toContain("<script>");
        expect(email.html).toContain(
          "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;&#x27;o&#x27;@exämple.com",
        );
        expect(email.text).toContain(trickyAddress);
        if (isCode) {
          expect(email.html).toContain("&lt;b&gt;&quot;1&amp;2&#x27;&lt;/b&gt;😀");
          expect(email.text).toContain(trickyCode);
        }
        expect(email.subject).not.toContain(trickyCode);
      });

      it.each([
        ["plain", "alice@example.com", "12345678"],
        ["markup and quotes", trickyAddress, trickyCode],
        ["unicode", unicodeAddress, "١٢٣٤٥٦٧٨"],
        ["an unpaired surrogate", "a\uD800b@example.com", "12\uDC0034"],
      ])("fast path matches a full React render byte for byte (%s)", async (_, to, code) => {
        const message = sampleMessage(kind, to, code);
        for (const locale of Object.keys(BUILT_IN_LOCALES)) {
          const fast = await renderer.render(message, locale);
          const full = await renderer.renderFull(message, locale);
          expect(fast.html).toBe(full.html);
          expect(fast.text).toBe(full.text);
          expect(fast.subject).toBe(full.subject);
        }
      });
    });
  }
});

describe("the link beside the code", () => {
  const renderer = createRenderer(config);
  const url = `https://acme.example/link#token=${SAMPLE_LINK_TOKEN}`;

  it.each(CODE_EMAIL_KINDS)(
    "%s: a button to the link and the link as text, fast = full",
    async (kind) => {
      const message = sampleMessage(kind);
      const fast = await renderer.render(message);
      expect(fast.html).toContain(`href="${url}"`);
      expect(fast.html).toContain(`If the button does not work, open this link: ${url}`);
      expect(fast.text).toContain(url);
      expect(fast.html).toContain(en.kinds[kind].linkButton);
      const full = await renderer.renderFull(message);
      expect(fast.html).toBe(full.html);
      expect(fast.text).toBe(full.text);
    },
  );

  it("refuses a link token that is not one (nothing may be spliced into the URL)", async () => {
    for (const linkToken of ["", "x", `${SAMPLE_LINK_TOKEN}"><script>`, "a b"]) {
      await expect(
        renderer.render({ ...sampleMessage("VERIFICATION_CODE"), linkToken } as EmailMessage),
      ).rejects.toThrow(RangeError);
    }
  });
});

describe("expiry in words", () => {
  const renderer = createRenderer(config);

  it.each([
    [900, "15 minutes"],
    [60, "1 minute"],
    [3600, "1 hour"],
    [7200, "2 hours"],
    [90, "90 seconds"],
    [1, "1 second"],
  ])("%i seconds reads %s", async (expiresInSeconds, words) => {
    const message = {
      kind: "SIGN_IN_CODE",
      to: "a@example.com",
      code: "1",
      expiresInSeconds,
      linkToken: "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
    } as const;
    const email = await renderer.render(message);
    expect(email.html).toContain(`This code expires in ${words}.`);
    expect(email.text).toContain(`This code expires in ${words}.`);
    expect((await renderer.renderFull(message)).html).toBe(email.html);
  });

  it("rejects an expiry that is not a positive whole number", async () => {
    for (const expiresInSeconds of [0, -5, 1.5, Number.NaN]) {
      await expect(
        renderer.render({
          kind: "SIGN_IN_CODE",
          to: "a@example.com",
          code: "1",
          expiresInSeconds,
          linkToken:
            "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
        }),
      ).rejects.toThrow(RangeError);
    }
  });

  it("rejects an empty code or recipient", async () => {
    await expect(
      renderer.render({
        kind: "SIGN_IN_CODE",
        to: "a@example.com",
        code: "",
        expiresInSeconds: 60,
        linkToken:
          "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
      }),
    ).rejects.toThrow(/code/);
    await expect(renderer.render({ kind: "ALREADY_REGISTERED", to: "" })).rejects.toThrow(/to/);
  });
});

describe("PASSWORD_CHANGED", () => {
  it("states when, in UTC, defaulting to the renderer's clock", async () => {
    const renderer = createRenderer({ ...config, now: () => new Date("2026-01-02T03:04:05Z") });
    const given = await renderer.render({
      kind: "PASSWORD_CHANGED",
      to: "a@example.com",
      changedAt,
    });
    expect(given.text).toContain("changed on 25 November 2025 at 07:53 UTC.");
    const defaulted = await renderer.render({ kind: "PASSWORD_CHANGED", to: "a@example.com" });
    expect(defaulted.text).toContain("changed on 2 January 2026 at 03:04 UTC.");
    expect(defaulted.html).toContain("https://acme.example/reset-password");
  });
});

describe("ALREADY_REGISTERED", () => {
  it("advises signing in or resetting the password, with links from config", async () => {
    const renderer = createRenderer({ ...config, signInUrl: "https://app.acme.example/login" });
    const email = await renderer.render({ kind: "ALREADY_REGISTERED", to: "a@example.com" });
    expect(email.html).toContain('href="https://app.acme.example/login"');
    expect(email.html).toContain('href="https://acme.example/reset-password"');
    expect(email.text).toContain("sign in");
    expect(email.text).toContain("Forgot your password?");
  });
});

describe("renderer", () => {
  it("escapes config values too, and they stay equal to a full render", async () => {
    const renderer = createRenderer({
      productName: `Acme & "Sons" <'s>`,
      baseUrl: "https://a.example",
    });
    const message = sampleMessage("VERIFICATION_CODE");
    const fast = await renderer.render(message);
    expect(fast.subject).toBe(`Verify your email for Acme & "Sons" <'s>`);
    expect(fast.html).toContain("Acme &amp; &quot;Sons&quot; &lt;&#x27;s&gt;");
    expect(fast.html).toBe((await renderer.renderFull(message)).html);
  });

  it("shares one compilation between concurrent first calls", async () => {
    const renderer = createRenderer(config);
    const emails = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        renderer.render(sampleMessage("SIGN_IN_CODE", `u${i}@x.io`)),
      ),
    );
    emails.forEach((email, i) => {
      expect(email.text).toContain(`u${i}@x.io`);
    });
  });

  it("after warm(), renders without React (thousands per second)", async () => {
    const renderer = createRenderer(config);
    await renderer.warm();
    const started = performance.now();
    for (let i = 0; i < 2000; i++) await renderer.render(sampleMessage("VERIFICATION_CODE"));
    // A full render costs milliseconds, so 2000 of them would take seconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("falls back from an unknown locale to its language, then to English", async () => {
    const renderer = createRenderer(config);
    const english = await renderer.render(sampleMessage("SIGN_IN_CODE"), "en");
    expect((await renderer.render(sampleMessage("SIGN_IN_CODE"), "en-GB")).text).toBe(english.text);
    expect((await renderer.render(sampleMessage("SIGN_IN_CODE"), "xx")).text).toBe(english.text);
  });

  it("takes extra catalogues", async () => {
    const pirate: Messages = {
      ...en,
      lang: "en-x-pirate",
      codeExpiresIn: (duration) => `Yer code sinks in ${duration}.`,
    };
    const renderer = createRenderer({ ...config, locales: { "en-x-pirate": pirate } });
    expect(renderer.locales).toEqual(["en", "de", "en-x-pirate"]);
    await renderer.warm();
    const message = sampleMessage("PASSWORD_RESET_CODE");
    const email = await renderer.render(message, "en-x-pirate");
    expect(email.text).toContain("Yer code sinks in 15 minutes.");
    expect(email.html).toContain('lang="en-x-pirate"');
    expect(email.html).toBe((await renderer.renderFull(message, "en-x-pirate")).html);
  });

  it("rejects a config without a usable base URL", () => {
    expect(() => createRenderer({ productName: "Acme", baseUrl: "acme.example" })).toThrow(
      /baseUrl/,
    );
  });
});

describe("German", () => {
  const renderer = createRenderer(config);

  it("declares its language and states durations and instants the German way", async () => {
    const code = await renderer.render(sampleMessage("SIGN_IN_CODE"), "de");
    expect(code.html).toContain('<html dir="ltr" lang="de">');
    expect(code.subject).toBe("Bei Acme anmelden");
    expect(code.text).toContain("Dieser Code ist 15 Minuten lang gültig.");
    const changed = await renderer.render(
      { kind: "PASSWORD_CHANGED", to: "a@example.com", changedAt },
      "de",
    );
    expect(changed.text).toContain("am 25. November 2025 um 07:53 UTC geändert.");
    expect((await renderer.render(sampleMessage("SIGN_IN_CODE"), "en")).html).toContain(
      '<html dir="ltr" lang="en">',
    );
  });

  it("words a browser and a system off the fixed lists in German, not in English", async () => {
    const attempt = {
      at: changedAt,
      ip: "203.0.113.7",
      browser: UNKNOWN_BROWSER,
      os: UNKNOWN_SYSTEM,
    };
    const german = await renderer.render(
      { kind: "PASSWORD_LIMIT_REACHED", to: "a@example.com", ...attempt },
      "de",
    );
    expect(german.text).toContain("mit einem unbekannten Browser unter einem unbekannten System");
    expect(german.text).not.toContain("unknown");
    const english = await renderer.render(
      { kind: "PASSWORD_LIMIT_REACHED", to: "a@example.com", ...attempt },
      "en",
    );
    expect(english.text).toContain("with an unknown browser on an unknown system");
  });

  it("is chosen for a regional tag (de-DE, de-AT)", async () => {
    const german = await renderer.render(sampleMessage("VERIFICATION_CODE"), "de");
    for (const tag of ["de-DE", "de-AT"]) {
      expect((await renderer.render(sampleMessage("VERIFICATION_CODE"), tag)).html).toBe(
        german.html,
      );
    }
  });

  it.each([
    [60, "1 Minute"],
    [3600, "1 Stunde"],
    [7200, "2 Stunden"],
    [90, "90 Sekunden"],
  ])("%i seconds reads %s", async (expiresInSeconds, words) => {
    const message = {
      kind: "SIGN_IN_CODE",
      to: "a@example.com",
      code: "1",
      expiresInSeconds,
      linkToken: "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
    } as const;
    const email = await renderer.render(message, "de");
    expect(email.text).toContain(`Dieser Code ist ${words} lang gültig.`);
    expect((await renderer.renderFull(message, "de")).html).toBe(email.html);
  });
});
