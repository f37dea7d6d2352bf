/**
 * How guessable a new password is, beyond the blocklist (NIST SP 800-63B-4 3.1.1.2: refuse
 * commonly used, expected or compromised values, and context-specific words; ASVS 5.0 6.2.4,
 * 6.2.11). The estimate is zxcvbn's (@zxcvbn-ts/core with the common, English and German
 * dictionaries): the number of guesses an attacker who knows common passwords, words,
 * keyboard patterns, repeats, sequences, dates and l33t would need. The account's address
 * (and its parts) and the service's name are given as user inputs, so "alice@example.com"
 * or the product's name repeated count as guessable for this account.
 *
 * The threshold: 10^8 guesses (zxcvbn's score 3, "safely unguessable"). Online guessing is
 * held far below that by the password budget (10 per address per 15 minutes) and the cap of
 * 100 consecutive failures; 10^8 is what zxcvbn rates as moderate protection if the argon2id
 * hashes were stolen (about 3 years at 1 000 argon2id guesses a second). Every four-word
 * passphrase of ordinary words measured 10^16 or more; `password1234567`, `aaaaaaaaaaaaaaa`,
 * `123456789012345`, `qwertyuiopasdfgh` measure 10^2-10^4.2, the service's name repeated
 * 10^5.9-10^6.7 (rules/password-strength.test.ts).
 */
export const MIN_PASSWORD_GUESSES_LOG10 = 8;

/** zxcvbn looks at this many characters at most (its cost grows with the length). */
export const STRENGTH_CHECKED_LENGTH = 64;

/** The words an attacker would try first for this account: its address, its parts, the service. */
export function passwordUserInputs(email: string, serviceName: string | undefined): string[] {
  const address = email.toLowerCase();
  const [local = "", domain = ""] = address.split("@");
  const words = [address, local, domain, ...local.split(/[._+-]+/), ...domain.split(".")];
  if (serviceName !== undefined && serviceName.trim() !== "") {
    const name = serviceName.toLowerCase();
    words.push(name, name.replace(/\s+/g, ""), ...name.split(/\s+/));
  }
  return [...new Set(words.filter((word) => word.length >= 3))];
}

export const WEAK_PASSWORD_MESSAGE =
  "This password would be easy to guess (a common word or pattern, a repeat, or your address). A few words you can remember work well.";
export const BREACHED_PASSWORD_MESSAGE =
  "This password has appeared in a data breach, so attackers try it. Choose another one.";
