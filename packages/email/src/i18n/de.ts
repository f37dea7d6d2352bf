import type { Messages } from "./messages.js";

// Intl formatters are costly to build and cheap to reuse: one of each per catalogue.
const unitFormatters = {
  hour: new Intl.NumberFormat("de", { style: "unit", unit: "hour", unitDisplay: "long" }),
  minute: new Intl.NumberFormat("de", { style: "unit", unit: "minute", unitDisplay: "long" }),
  second: new Intl.NumberFormat("de", { style: "unit", unit: "second", unitDisplay: "long" }),
};
const dateTimeFormatter = new Intl.DateTimeFormat("de-DE", {
  dateStyle: "long",
  timeStyle: "short",
  // The recipient's zone is unknown here, so say UTC and say so.
  timeZone: "UTC",
});

export const de: Messages = {
  lang: "de",
  dir: "ltr",

  // Largest whole unit, so 900 reads "15 Minuten" and 90 stays "90 Sekunden".
  formatDuration(seconds) {
    if (seconds % 3600 === 0) return unitFormatters.hour.format(seconds / 3600);
    if (seconds % 60 === 0) return unitFormatters.minute.format(seconds / 60);
    return unitFormatters.second.format(seconds);
  },
  formatDateTime(date) {
    return `${dateTimeFormatter.format(date)} UTC`;
  },

  codeExpiresIn: (duration) => `Dieser Code ist ${duration} lang gültig.`,
  earlierCodesNoLongerWork: "Alle Codes, die wir dir vorher geschickt haben, gelten nicht mehr.",
  linkIntro:
    "Auf dem Gerät, auf dem du das liest, kannst du statt den Code einzugeben auch den Link öffnen; die Seite, die er öffnet, bittet dich um eine Bestätigung.",
  linkAsText: (link) => `Wenn die Schaltfläche nicht funktioniert, öffne diesen Link: ${link}`,
  sentTo: (to, productName) => `Diese E-Mail wurde von ${productName} an ${to} gesendet.`,

  kinds: {
    VERIFICATION_CODE: {
      subject: (productName) => `Bestätige deine E-Mail-Adresse für ${productName}`,
      preview: (productName) => `Dein Code, um dein ${productName}-Konto fertig anzulegen.`,
      heading: "Bestätige deine E-Mail-Adresse",
      intro: (productName, to) =>
        `Gib diesen Code in ${productName} ein, um zu bestätigen, dass ${to} deine Adresse ist, und dein Konto fertig anzulegen.`,
      linkButton: "Adresse bestätigen",
      notRequested:
        "Du hast das nicht angefordert? Dann kannst du diese E-Mail ignorieren; ohne diesen Code wird kein Konto angelegt.",
    },
    PASSWORD_RESET_CODE: {
      subject: (productName) => `Setze dein ${productName}-Passwort zurück`,
      preview: (productName) => `Dein Code, um ein neues ${productName}-Passwort zu wählen.`,
      heading: "Passwort zurücksetzen",
      intro: (productName, to) =>
        `Gib diesen Code in ${productName} ein, um ein neues Passwort für ${to} zu wählen.`,
      linkButton: "Neues Passwort wählen",
      notRequested:
        "Du hast das nicht angefordert? Dann kannst du diese E-Mail ignorieren; dein Passwort bleibt, wie es ist.",
    },
    SIGN_IN_CODE: {
      subject: (productName) => `Bei ${productName} anmelden`,
      preview: (productName) => `Dein Code, um dich bei ${productName} anzumelden.`,
      heading: "Dein Anmeldecode",
      intro: (productName, to) =>
        `Gib diesen Code in ${productName} ein, um dich als ${to} anzumelden.`,
      linkButton: "Anmelden",
      notRequested:
        "Du hast das nicht angefordert? Dann kannst du diese E-Mail ignorieren; ohne diesen Code kann sich niemand anmelden.",
    },
    REAUTHENTICATION_CODE: {
      subject: (productName) => `Bestätige bei ${productName}, dass du es bist`,
      preview: (productName) =>
        `Dein Code, um eine Änderung an deinem ${productName}-Konto zu bestätigen.`,
      heading: "Bestätige, dass du es bist",
      intro: (productName, to) =>
        `Gib diesen Code in ${productName} ein, wo du als ${to} angemeldet bist, um zu bestätigen, dass du es bist, bevor du änderst, wie dein Konto erreicht wird.`,
      linkButton: "Ich bin es",
      notRequested:
        "Du hast das nicht angefordert? Dann ist vielleicht jemand in deinem Konto angemeldet: Melde auf der Kontoseite alle Sitzungen ab und wähle ein neues Passwort.",
    },
    EMAIL_CHANGE_CODE: {
      subject: (productName) => `Bestätige deine neue E-Mail-Adresse für ${productName}`,
      preview: (productName) =>
        `Dein Code, um deine neue ${productName}-E-Mail-Adresse zu bestätigen.`,
      heading: "Bestätige deine neue E-Mail-Adresse",
      intro: (productName, to) =>
        `Gib diesen Code in ${productName} ein, um ${to} zur E-Mail-Adresse deines Kontos zu machen.`,
      linkButton: "Neue Adresse bestätigen",
      notRequested:
        "Du hast das nicht angefordert? Dann kannst du diese E-Mail ignorieren; ohne diesen Code verwendet kein Konto diese Adresse.",
    },
    PASSWORD_CHANGED: {
      subject: (productName) => `Dein ${productName}-Passwort wurde geändert`,
      preview: (productName) => `Das Passwort deines ${productName}-Kontos wurde geändert.`,
      heading: "Dein Passwort wurde geändert",
      changedOn: (productName, to, when) =>
        `Das Passwort des ${productName}-Kontos für ${to} wurde am ${when} geändert.`,
      ifItWasYou: "Wenn du das warst, musst du nichts weiter tun.",
      ifItWasNotYou:
        "Wenn nicht, setze dein Passwort jetzt zurück: Jemand anderes kennt es vielleicht.",
      resetPasswordButton: "Passwort zurücksetzen",
      whyYouGetThis:
        "Wir schicken diesen Hinweis jedes Mal, wenn sich das Passwort deines Kontos ändert.",
    },
    ALREADY_REGISTERED: {
      subject: (productName) => `Du hast schon ein Konto bei ${productName}`,
      preview: (productName) =>
        `Jemand wollte sich mit deiner Adresse bei ${productName} registrieren.`,
      heading: "Du hast schon ein Konto",
      attempt: (productName, to) =>
        `Jemand, wahrscheinlich du, wollte sich gerade mit ${to} bei ${productName} registrieren. Für diese Adresse gibt es schon ein Konto, daher wurde nichts geändert.`,
      advice: "Wenn du das warst, melde dich stattdessen mit deinem bestehenden Konto an.",
      signInButton: "Anmelden",
      forgotPassword: "Passwort vergessen?",
      resetPasswordLink: "Hier zurücksetzen",
      notRequested:
        "Du hast das nicht angefordert? Dann kannst du diese E-Mail ignorieren; dein Konto bleibt, wie es ist.",
    },
    EMAIL_CHANGED: {
      subject: (productName) => `Die E-Mail-Adresse deines ${productName}-Kontos wurde geändert`,
      preview: (productName) =>
        `Dein ${productName}-Konto verwendet jetzt eine andere E-Mail-Adresse.`,
      heading: "Deine E-Mail-Adresse wurde geändert",
      changed: (productName, oldEmail, newEmail) =>
        `Das ${productName}-Konto, das ${oldEmail} verwendet hat, verwendet jetzt ${newEmail}. E-Mails zum Konto gehen ab jetzt an die neue Adresse.`,
      ifItWasYou: "Wenn du das warst, musst du nichts weiter tun.",
      ifItWasNotYou: (when) =>
        `Wenn nicht, mach die Änderung mit dem Button unten rückgängig: Das Konto bekommt diese Adresse zurück und jede seiner Sitzungen wird abgemeldet. Der Link funktioniert einmal, bis ${when}.`,
      undoButton: "Änderung rückgängig machen",
      whyYouGetThis:
        "Wir benachrichtigen die alte Adresse jedes Mal, wenn sich die E-Mail-Adresse eines Kontos ändert.",
    },
    PASSWORD_LIMIT_REACHED: {
      subject: (productName) => `Zu viele falsche Passwörter für dein ${productName}-Konto`,
      preview: (productName) =>
        `Jemand hat falsche Passwörter für dein ${productName}-Konto eingegeben.`,
      heading: "Zu viele falsche Passwörter",
      attempts: (productName, to) =>
        `Jemand hat zu viele falsche Passwörter für das ${productName}-Konto von ${to} eingegeben. Die Anmeldung mit Passwort ist eine Weile gesperrt, auch mit dem richtigen.`,
      details: (when, ip, browser, os) =>
        `Der letzte Versuch: ${when}, von der IP-Adresse ${ip}, mit ${browser} unter ${os}.`,
      unknownBrowser: "einem unbekannten Browser",
      unknownSystem: "einem unbekannten System",
      ifItWasYou:
        "Wenn du das warst, warte ein paar Minuten oder melde dich stattdessen mit einem Code an.",
      ifItWasNotYou:
        "Wenn du es nicht warst, versucht vielleicht jemand, dein Passwort zu erraten: Wähle jetzt ein neues, einzigartiges.",
      resetPasswordButton: "Neues Passwort wählen",
      whyYouGetThis: "Wir schicken diesen Hinweis höchstens einmal pro Wartezeit.",
    },
    ACCOUNT_LOCKED: {
      subject: (productName) => `Dein ${productName}-Konto ist gesperrt`,
      preview: (productName) =>
        `Entsperre dein ${productName}-Konto mit dem Link in dieser E-Mail.`,
      heading: "Dein Konto ist gesperrt",
      locked: (productName, to) =>
        `Es gab zu viele fehlgeschlagene Versuche in Folge, dich beim ${productName}-Konto von ${to} anzumelden oder seine Codes zu verwenden, daher ist es gesperrt: Kein Code und kein Passwort funktioniert, bis du es entsperrst.`,
      unlockWith:
        "Um es zu entsperren, öffne diesen Link und drücke die Schaltfläche auf der Seite:",
      link: (link) => link,
      linkExpires: (when) => `Der Link funktioniert einmal, bis ${when}.`,
      ifItWasNotYou:
        "Wenn die fehlgeschlagenen Versuche nicht von dir waren, versucht vielleicht jemand, in dein Konto zu gelangen: Wähle nach dem Entsperren ein neues Passwort.",
      unlockButton: "Konto entsperren",
      whyYouGetThis:
        "Wir schicken diese E-Mail, wenn ein Konto gesperrt wird, damit nur seine Inhaberin oder sein Inhaber es entsperren kann.",
    },
    NEW_SIGN_IN: {
      subject: (productName) => `Neue Anmeldung bei deinem ${productName}-Konto`,
      preview: (productName) =>
        `Bei deinem ${productName}-Konto hat sich jemand von einem neuen Gerät angemeldet.`,
      heading: "Neue Anmeldung bei deinem Konto",
      signedIn: (productName, to, when, device, ip) =>
        `Am ${when} hat sich jemand beim ${productName}-Konto für ${to} angemeldet, von ${device} (IP-Adresse ${ip}), einem Gerät, auf dem das Konto vorher nicht verwendet wurde.`,
      ifItWasYou: "Wenn du das warst, musst du nichts weiter tun.",
      ifItWasNotYou:
        "Wenn du es nicht warst, öffne deine Kontoseite, beende diese Sitzung unter „Wo du angemeldet bist“ und setze dein Passwort zurück: Jemand anderes kennt es vielleicht.",
      accountButton: "Prüfen, wo du angemeldet bist",
      whyYouGetThis:
        "Wir schicken diesen Hinweis jedes Mal, wenn sich jemand bei deinem Konto von einem Gerät anmeldet, auf dem es noch nicht verwendet wurde.",
    },
  },
};
