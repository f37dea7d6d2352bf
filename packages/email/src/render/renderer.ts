import { type EmailConfig, type ResolvedEmailConfig, resolveEmailConfig } from "../config.js";
import { BUILT_IN_LOCALES, DEFAULT_LOCALE } from "../i18n/index.js";
import type { Messages } from "../i18n/messages.js";
import { EMAIL_KINDS, type EmailKind, type EmailMessage } from "../kinds.js";
import { type EmailTemplate, TEMPLATES } from "../templates/index.js";
import { escapeHtmlLikeReact } from "./html-escape.js";
import { renderWithReactEmail } from "./react-email.js";
import {
  countSlots,
  createPlaceholders,
  cutAtPlaceholders,
  fillSlots,
  type SlotTemplate,
} from "./slot-template.js";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RendererOptions extends EmailConfig {
  /** More catalogues by locale tag (or replacements for built-in ones). English is built in. */
  locales?: Readonly<Record<string, Messages>>;
  /** Clock for a PASSWORD_CHANGED message without `changedAt`. */
  now?: () => Date;
}

export interface EmailRenderer {
  /** Locale tags this renderer has catalogues for. */
  readonly locales: readonly string[];
  /**
   * Fast path: fills a cached, pre-rendered template. The first call for a (kind, locale)
   * compiles it with one full render (tens of milliseconds) unless `warm()` already did.
   * Unknown locales fall back to their base language ("en-GB" to "en"), then to "en".
   */
  render(message: EmailMessage, locale?: string): Promise<RenderedEmail>;
  /** Slow path: a complete React render with the real values. For tests and benchmarks. */
  renderFull(message: EmailMessage, locale?: string): Promise<RenderedEmail>;
  /** Compiles every kind for every locale (or the given ones) now, e.g. at startup. */
  warm(locales?: readonly string[]): Promise<void>;
}

/** A template rendered once with placeholders and cut at them. */
interface CompiledEmail {
  template: EmailTemplate;
  messages: Messages;
  subject: string;
  html: SlotTemplate;
  text: SlotTemplate;
}

export function createRenderer(options: RendererOptions): EmailRenderer {
  const config = resolveEmailConfig(options);
  const catalogues = new Map(Object.entries({ ...BUILT_IN_LOCALES, ...options.locales }));
  const now = options.now ?? (() => new Date());
  const compiled = new Map<string, CompiledEmail>();
  // In-flight compilations, so concurrent first calls share one render.
  const compiling = new Map<string, Promise<CompiledEmail>>();

  function resolveLocale(locale: string): string {
    if (catalogues.has(locale)) return locale;
    const language = locale.split("-")[0] ?? "";
    return catalogues.has(language) ? language : DEFAULT_LOCALE;
  }

  function catalogue(locale: string): Messages {
    const messages = catalogues.get(locale);
    if (messages === undefined) throw new Error(`no message catalogue for locale "${locale}"`);
    return messages;
  }

  function compiledFor(kind: EmailKind, locale: string): CompiledEmail | Promise<CompiledEmail> {
    const key = `${locale}:${kind}`;
    const ready = compiled.get(key);
    if (ready !== undefined) return ready;
    let pending = compiling.get(key);
    if (pending === undefined) {
      pending = compile(kind, catalogue(locale), config).then(
        (result) => {
          compiled.set(key, result);
          compiling.delete(key);
          return result;
        },
        (error: unknown) => {
          compiling.delete(key); // let a later call try again
          throw error;
        },
      );
      compiling.set(key, pending);
    }
    return pending;
  }

  function slotValues(template: EmailTemplate, message: EmailMessage, messages: Messages) {
    if (message.to === "") throw new RangeError("to must not be empty");
    const byName = template.slotValues(message, messages, now);
    return template.slots.map((slot) => byName[slot] as string);
  }

  return {
    locales: [...catalogues.keys()],

    async render(message, locale = DEFAULT_LOCALE) {
      const compiledEmail = await compiledFor(message.kind, resolveLocale(locale));
      const raw = slotValues(compiledEmail.template, message, compiledEmail.messages).map(
        asWellFormed,
      );
      return {
        subject: compiledEmail.subject,
        html: fillSlots(compiledEmail.html, raw.map(escapeHtmlLikeReact)),
        text: fillSlots(compiledEmail.text, raw),
      };
    },

    async renderFull(message, locale = DEFAULT_LOCALE) {
      const template = TEMPLATES[message.kind];
      const messages = catalogue(resolveLocale(locale));
      const values = Object.fromEntries(
        zip(template.slots, slotValues(template, message, messages)),
      );
      const { html, text } = await renderWithReactEmail(template.element(messages, config, values));
      return { subject: template.subject(messages, config), html, text };
    },

    async warm(locales = [...catalogues.keys()]) {
      await Promise.all(
        locales.flatMap((locale) =>
          EMAIL_KINDS.map((kind) => compiledFor(kind, resolveLocale(locale))),
        ),
      );
    },
  };
}

async function compile(
  kind: EmailKind,
  messages: Messages,
  config: ResolvedEmailConfig,
): Promise<CompiledEmail> {
  const template = TEMPLATES[kind];
  const placeholders = createPlaceholders(template.slots.length);
  const values = Object.fromEntries(zip(template.slots, placeholders));
  const rendered = await renderWithReactEmail(template.element(messages, config, values));
  const html = cutAtPlaceholders(rendered.html, placeholders);
  const text = cutAtPlaceholders(rendered.text, placeholders);

  // A slot that vanished or multiplied in the text conversion (a placeholder put in an
  // attribute, a converter option that changes case) would silently give wrong text:
  // refuse to compile instead.
  const inHtml = countSlots(html, placeholders.length);
  const inText = countSlots(text, placeholders.length);
  template.slots.forEach((slot, index) => {
    if (inHtml[index] === 0 || inHtml[index] !== inText[index]) {
      throw new Error(
        `template ${kind} (${messages.lang}): slot "${slot}" occurs ${inHtml[index]} times in HTML and ${inText[index]} in text; slots must appear in visible text only`,
      );
    }
  });

  return { template, messages, subject: template.subject(messages, config), html, text };
}

/**
 * React encodes its output as UTF-8, which turns an unpaired surrogate into U+FFFD;
 * do the same so the fast path matches a full render for any input string.
 */
function asWellFormed(value: string): string {
  return value.isWellFormed() ? value : value.toWellFormed();
}

function zip<A, B>(left: readonly A[], right: readonly B[]): [A, B][] {
  return left.map((item, index) => [item, right[index] as B]);
}
