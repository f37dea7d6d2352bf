/**
 * The API's one reading of a request's language. The list is the email package's
 * catalogues (`SUPPORTED_LOCALES`, default first); negotiation is `negotiator`'s (q-values,
 * `de-DE` matching `de`, `*`), so pages and emails pick the same language for a request.
 */
import { ACCOUNT_DEFAULT_LOCALE } from "@otp/core/db";
import { DEFAULT_LOCALE, type Locale, SUPPORTED_LOCALES } from "@otp/email";
import Negotiator from "negotiator";

export { SUPPORTED_LOCALES };

// The emails' default and the column's default are one language; say so at start-up.
if ((DEFAULT_LOCALE as string) !== ACCOUNT_DEFAULT_LOCALE) {
  throw new Error(
    `the email default locale (${DEFAULT_LOCALE}) differs from users.locale's default (${ACCOUNT_DEFAULT_LOCALE})`,
  );
}

/** The supported language an `Accept-Language` header prefers most; the default without one. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (acceptLanguage === undefined || acceptLanguage.trim() === "") return DEFAULT_LOCALE;
  const negotiator = new Negotiator({ headers: { "accept-language": acceptLanguage } });
  return (negotiator.language([...SUPPORTED_LOCALES]) as Locale | undefined) ?? DEFAULT_LOCALE;
}
