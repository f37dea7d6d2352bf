import type { Catalogue } from "../en.js";

/** The web app's words in German (typed by the English catalogue: nothing can be missing). */
const de: Catalogue = {
  lang: "de",
  dateLocale: "de-DE",

  app: {
    skipToContent: "Zum Inhalt springen",
    loading: "Wird geladen…",
    tryAgain: "Erneut versuchen",
    home: "Startseite",
    navLabel: "Konto",
    account: "Konto",
    signIn: "Anmelden",
  },

  time: {
    now: "jetzt",
    justNow: "gerade eben",
    inWithClock: (duration, clock) => `${duration} (um ${clock})`,
    seconds: (n) => `${n} s`,
    minutes: (n) => `${n} Min.`,
  },

  fields: {
    email: "E-Mail-Adresse",
    password: "Passwort",
    newPassword: "Neues Passwort",
    showPassword: "Passwort anzeigen",
    hidePassword: "Passwort verbergen",
    show: "Anzeigen",
    hide: "Verbergen",
    passwordRules: (min, max) =>
      `Verwende ${min} bis ${max} Zeichen. Alle Zeichen und Leerzeichen sind erlaubt; häufige oder geleakte Passwörter werden abgelehnt. Ein paar Wörter, die nichts miteinander zu tun haben, ergeben ein starkes Passwort.`,
  },

  fieldProblems: {
    byField: {
      email: "Gib eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.",
      newEmail: "Gib eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.",
      password:
        "Dieses Passwort kann nicht verwendet werden. Halte dich an die Regel unter dem Feld.",
      newPassword:
        "Dieses Passwort kann nicht verwendet werden. Halte dich an die Regel unter dem Feld.",
      code: "Gib den Code aus der E-Mail ein, nur Ziffern.",
      token: "Öffne den Link aus der E-Mail oder füge ihn vollständig ein.",
      locale: "Wähle eine der angebotenen Sprachen.",
    },
    other: "Diese Angabe ist ungültig.",
  },

  code: {
    aCodeOfLength: (length) => `einen ${length}-stelligen Code`,
    checking: "Wird geprüft…",
    sending: "Wird gesendet…",
    sendNewCode: "Neuen Code senden",
    sendNewCodeIn: (wait) => `Neuen Code senden (${wait})`,
    noEmail:
      "Keine E-Mail? Sieh im Spam-Ordner nach oder fordere einen neuen Code an. Nur der neueste Code funktioniert.",
    devMailbox: "Entwicklung: Lies den Code im {link} (öffnet sich in einem neuen Tab).",
    devMailboxLink: "Entwicklungs-Postfach",
    wrongAddress: "Falsche Adresse? {button}.",
    useDifferent: "Eine andere verwenden",
  },

  errors: {
    unreadableRequest:
      "Der Dienst konnte diese Anfrage nicht lesen. Lade die Seite neu und versuche es noch einmal.",
    newCodeWontHelp: "Ein neuer Code hilft bis dahin nicht.",
    checkBelow: "Prüfe die Angaben unten.",
    notValid: "Einige Angaben sind ungültig.",
    codeWrong: "Dieser Code stimmt nicht. Sieh in der neuesten E-Mail nach.",
    waitAWhile: "Warte eine Weile, bevor du es noch einmal versuchst.",
    tryAgainAt: (when) => `Du kannst es ${when} noch einmal versuchen.`,
    lastTry: (then) => `Dieser Code stimmt nicht, und das war vorerst der letzte Versuch. ${then}`,
    attemptsLeft: (n) =>
      `Dieser Code stimmt nicht. Du hast noch ${n === 1 ? "1 Versuch" : `${n} Versuche`}.`,
    expired: "Dieser Code ist abgelaufen. Fordere einen neuen Code an und gib ihn hier ein.",
    linkExpired: "Dieser Link ist abgelaufen, wie der Code daneben. Fordere eine neue E-Mail an.",
    linkAlreadyUsed:
      "Dieser Link oder der Code daneben wurde schon verwendet. Wenn du das warst, ist hier nichts mehr zu tun.",
    linkInvalid:
      "Dieser Link funktioniert nicht: Eine neuere E-Mail hat ihn ersetzt, oder er wurde nicht vollständig kopiert. Verwende die neueste E-Mail oder gib ihren Code ein.",
    alreadyUsed:
      "Dieser Code wurde schon verwendet. Wenn deine E-Mail-Adresse noch nicht bestätigt ist, fordere einen neuen Code an.",
    replaced:
      "Dieser Code wurde durch einen neueren ersetzt. Gib den Code aus der neuesten E-Mail ein (dieser Versuch wurde nicht gezählt).",
    tooManyPasswordsNoTime:
      "Zu viele falsche Passwörter. Warte eine Weile und versuche es dann noch einmal.",
    tooManyCodesNoTime:
      "Zu viele falsche Codes. Warte eine Weile und versuche es dann noch einmal.",
    tooManyPasswords: (when) =>
      `Zu viele falsche Passwörter für dieses Konto. ${when} Oder melde dich stattdessen mit einem Code an.`,
    tooManyCodes: (when) => `Zu viele falsche Codes. ${when}`,
    cooldownNoTime:
      "Gerade eben wurde ein Code gesendet. Warte einen Moment und frage dann noch einmal.",
    cooldown: (when) =>
      `Gerade eben wurde ein Code gesendet. Du kannst ${when} einen weiteren anfordern.`,
    hourlyCapNoTime:
      "An diese Adresse wurden so viele Codes gesendet, wie in einer Stunde erlaubt sind. Warte eine Weile und frage dann noch einmal.",
    hourlyCap: (when) =>
      `An diese Adresse wurden so viele Codes gesendet, wie in einer Stunde erlaubt sind. Du kannst ${when} einen weiteren anfordern. Der neueste Code gilt weiter, bis er abläuft.`,
    accountLocked:
      "Dieses Konto ist nach zu vielen fehlgeschlagenen Versuchen gesperrt. Wir haben der Adresse einen Link zum Entsperren geschickt: Öffne die neueste Entsperr-E-Mail und versuche es dann noch einmal.",
    reauthenticationRequired:
      "Bestätige zuerst, dass du es bist: Gib dein Passwort ein oder einen Code, den wir dir schicken.",
    tokenInvalid:
      "Dieser Entsperr-Link funktioniert nicht: Er wurde schon verwendet oder ist abgelaufen. Wenn das Konto noch gesperrt ist, sieh nach einer neueren Entsperr-E-Mail.",
    rateLimitedNoTime:
      "Zu viele Anfragen aus deinem Netzwerk. Warte eine Minute und versuche es dann noch einmal.",
    rateLimited: (when) =>
      `Zu viele Anfragen aus deinem Netzwerk. Du kannst es ${when} noch einmal versuchen.`,
    unavailable: "Der Dienst ist vorübergehend nicht erreichbar. Versuche es gleich noch einmal.",
    userNotFound: "Für diese Adresse gibt es kein Konto.",
    invalidCredentials:
      "Diese E-Mail-Adresse und dieses Passwort passen zu keinem Konto. Prüfe beides oder setze dein Passwort zurück.",
    emailNotVerified:
      "Diese E-Mail-Adresse ist noch nicht bestätigt. Lass dir einen Bestätigungscode schicken, gib ihn ein und melde dich dann an.",
    unauthorized: "Melde dich an, um fortzufahren.",
    emailTaken:
      "Diese E-Mail-Adresse gehört inzwischen einem anderen Konto. Wähle eine andere Adresse.",
    notFound: "Das ist hier nicht verfügbar.",
    internal: "Bei uns ist etwas schiefgegangen. Versuche es gleich noch einmal.",
    network:
      "Der Dienst war nicht erreichbar. Prüfe deine Verbindung und versuche es dann noch einmal.",
  },

  form: {
    codeIncomplete: (length) => `Gib alle ${length} Ziffern des Codes ein.`,
    sameAddress: "Das ist schon die Adresse deines Kontos. Gib eine andere ein.",
    addressMalformed: "Gib eine E-Mail-Adresse wie name@example.com ein.",
    codeResent: "Ein neuer Code wurde gesendet. Frühere Codes gelten nicht mehr.",
    attemptsStillLeft: (n) =>
      `Du hast weiterhin ${n === 1 ? "1 Versuch" : `${n} Versuche`}: Ein neuer Code gibt keine weiteren.`,
    codesRefused: (clock, newCodeWontHelp) =>
      `Nach zu vielen falschen Codes werden bis ${clock} keine Codes angenommen. ${newCodeWontHelp}`,
    codesAllowedAgain: "Du kannst jetzt wieder einen Code eingeben.",
  },

  createAccount: {
    title: "Konto erstellen",
    heading: "Erstelle dein Konto",
    lead: "Wir schicken dir einen Code per E-Mail, um die Adresse zu bestätigen.",
    submit: "Konto erstellen",
    pending: "Konto wird erstellt…",
    haveAccount: "Du hast schon ein Konto? {link}.",
    signIn: "Anmelden",
  },

  signIn: {
    title: "Anmelden",
    heading: "Anmelden",
    lead: "Mit der E-Mail-Adresse und dem Passwort deines Kontos.",
    submit: "Anmelden",
    pending: "Anmeldung läuft…",
    sendVerification: "Bestätigungscode senden",
    withCode: "Stattdessen mit einem Code anmelden",
    forgot: "Passwort vergessen?",
    noAccount: "Noch kein Konto? {link}.",
    createAccount: "Konto erstellen",
    notices: {
      signedOut: "Du bist abgemeldet.",
      signedOutEverywhere: "Du bist überall abgemeldet: auf diesem Gerät und auf allen anderen.",
      passwordReset:
        "Dein Passwort wurde geändert, und alle Sitzungen deines Kontos wurden abgemeldet. Melde dich mit deinem neuen Passwort an.",
      emailVerified: "Deine E-Mail-Adresse ist bestätigt. Melde dich mit deinem Passwort an.",
      unlocked: "Dein Konto ist entsperrt. Melde dich an, um fortzufahren.",
    },
  },

  verify: {
    checkEmail: "Sieh in deinen E-Mails nach",
    title: "Gib deinen Bestätigungscode ein",
    lead: (code) =>
      `Wenn {email} ein Konto hat, das auf die Bestätigung wartet, haben wir ${code} dorthin geschickt. Gib ihn ein, um die Adresse zu bestätigen.`,
    sentLead:
      "Wir haben eine E-Mail an {email} geschickt. Gib den Code daraus ein, um die Adresse zu bestätigen.",
    label: (length) => `Bestätigungscode (${length} Ziffern)`,
    submit: "E-Mail bestätigen",
    wrongAddress: "Falsche Adresse? {link}.",
    createAgain: "Konto noch einmal erstellen",
    askTitle: "Bestätige deine E-Mail-Adresse",
    askLabel: "Mit welcher E-Mail-Adresse hast du dich registriert?",
    continue: "Weiter",
    continuing: "Weiter…",
    noAccount: "Noch kein Konto? {link}.",
    createOne: "Erstelle eins",
  },

  signInWithCode: {
    title: "Mit einem Code anmelden",
    lead: "Wir schicken dir einen Code zum Anmelden per E-Mail. Kein Passwort nötig.",
    emailMe: "Code per E-Mail senden",
    withPassword: "Stattdessen mit deinem Passwort anmelden",
    enterTitle: "Gib deinen Anmeldecode ein",
    enterLead: (code) =>
      `Wenn {email} ein Konto hat, haben wir ${code} dorthin geschickt. Gib ihn ein, um dich anzumelden.`,
    label: (length) => `Anmeldecode (${length} Ziffern)`,
  },

  reset: {
    title: "Passwort zurücksetzen",
    lead: "Gib die E-Mail-Adresse deines Kontos ein. Wir schicken ihr einen Code, mit dem du ein neues Passwort wählst.",
    emailMe: "Code per E-Mail senden",
    remembered: "Doch wieder eingefallen? {link}.",
    signIn: "Anmelden",
    chooseTitle: "Wähle ein neues Passwort",
    chooseLead: (code) =>
      `Wenn {email} ein Konto hat, haben wir ${code} dorthin geschickt. Gib ihn mit deinem neuen Passwort ein. Alle Sitzungen des Kontos werden abgemeldet.`,
    label: (length) => `Code zum Zurücksetzen (${length} Ziffern)`,
    submit: "Passwort ändern",
    pending: "Passwort wird geändert…",
    notices: {
      emailVerifiedNoPassword:
        "Deine E-Mail-Adresse ist bestätigt. Das Passwort, das beim Erstellen des Kontos gewählt wurde, wurde in diesem Browser nicht bestätigt und funktioniert daher nicht: Fordere unten einen Code an, um ein Passwort zu wählen.",
    },
  },

  link: {
    title: "Dein E-Mail-Link",
    checking: "Der Link wird geprüft…",
    notYet: "Es passiert nichts, bis du die Schaltfläche drückst.",
    goToSignIn: "Zur Anmeldung",
    notNow: "Jetzt nicht",
    steps: {
      VERIFICATION: {
        heading: "Bestätige deine E-Mail-Adresse",
        lead: "Bestätige {email} als Adresse deines Kontos.",
        button: "Meine Adresse bestätigen",
        pending: "Wird bestätigt…",
      },
      SIGN_IN: {
        heading: "Anmelden",
        lead: "Auf diesem Gerät als {email} anmelden.",
        button: "Anmelden",
        pending: "Anmeldung läuft…",
      },
      PASSWORD_RESET: {
        heading: "Wähle ein neues Passwort",
        lead: "Wähle ein neues Passwort für {email}. Alle Sitzungen des Kontos werden abgemeldet.",
        button: "Passwort ändern",
        pending: "Passwort wird geändert…",
      },
      EMAIL_CHANGE: {
        heading: "Bestätige deine neue E-Mail-Adresse",
        lead: "Mache {email} zur Adresse deines Kontos.",
        button: "Neue Adresse bestätigen",
        pending: "Wird bestätigt…",
      },
      REAUTHENTICATION: {
        heading: "Bestätige, dass du es bist",
        lead: "Bestätige, dass du es bist, angemeldet als {email}, bevor du änderst, wie dein Konto erreicht wird.",
        button: "Ich bin es",
        pending: "Wird bestätigt…",
      },
      EMAIL_CHANGE_UNDO: {
        heading: "E-Mail-Änderung rückgängig machen",
        lead: "Gib deinem Konto {email} als Adresse zurück. Alle Sitzungen des Kontos werden abgemeldet.",
        button: "Änderung rückgängig machen",
        pending: "Wird rückgängig gemacht…",
      },
    },
    changeUndone:
      "Dein Konto hat seine alte Adresse zurück, und alle Sitzungen wurden abgemeldet. Melde dich wieder an; wenn du die Änderung nicht gemacht hast, wähle ein neues Passwort.",
    signInFirst:
      "Melde dich bei dem Konto an, das diese Änderung angefordert hat, und öffne den Link dann noch einmal (oder gib den Code aus der E-Mail auf der Kontoseite ein).",
  },

  unlock: {
    title: "Konto entsperren",
    goToSignIn: "Zur Anmeldung",
    lead: "Dein Konto wurde nach zu vielen falschen Passwörtern oder Codes gesperrt. Entsperre es, um dich wieder anzumelden.",
    advice:
      "Wenn diese Versuche nicht von dir waren, kennt oder errät vielleicht jemand dein Passwort: Melde dich nach dem Entsperren mit einem Code an und wähle ein neues Passwort.",
    submit: "Mein Konto entsperren",
    pending: "Wird entsperrt…",
    notNow: "Jetzt nicht",
  },

  account: {
    title: "Dein Konto",
    notices: {
      emailChanged:
        "Deine E-Mail-Adresse wurde geändert. Wir haben deine alte Adresse benachrichtigt.",
      emailVerified: "Deine E-Mail-Adresse ist bestätigt, und du bist angemeldet.",
    },
    emailHeading: "E-Mail-Adresse",
    changeEmail: "E-Mail-Adresse ändern",
    languageHeading: "Sprache",
    languageHint: "Die Sprache dieser Website und aller E-Mails, die wir dir schicken.",
    languageLabel: "Wähle deine Sprache",
    languageSave: "Sprache speichern",
    languageSaving: "Wird gespeichert…",
    languageSaved: "Deine Sprache wurde gespeichert.",
    sessionsHeading: "Sitzungen",
    signedInUntil: "Du bist auf diesem Gerät angemeldet bis {time}.",
    signOut: "Abmelden",
    signingOut: "Abmeldung läuft…",
    signOutEverywhere: "Überall abmelden",
    everywhereHint:
      "„Überall abmelden“ beendet alle Sitzungen deines Kontos auf allen Geräten, auch auf diesem.",
  },

  sessions: {
    heading: "Wo du angemeldet bist",
    intro:
      "Alle Geräte und Browser, die bei deinem Konto angemeldet sind. Wenn du eins nicht erkennst, melde es ab und ändere dein Passwort.",
    loading: "Deine Sitzungen werden geladen…",
    listLabel: "Sitzungen",
    thisDevice: "Dieses Gerät",
    ip: "IP-Adresse",
    unknown: "unbekannt",
    lastSeen: "Zuletzt aktiv",
    signedIn: "Angemeldet",
    signOutLabel: (device, when) => `Diese Sitzung abmelden: ${device}, zuletzt aktiv ${when}`,
    signOut: "Diese Sitzung abmelden",
    ended: "Die Sitzung wurde abgemeldet.",
    deviceEnded: (device) => `${device} wurde abgemeldet.`,
    alreadyEnded: "Diese Sitzung war schon beendet.",
  },

  devices: {
    browserOn: (browser, system) => `${browser} unter ${system}`,
    aBrowserOn: (system) => `Ein Browser unter ${system}`,
    unknown: "Unbekanntes Gerät",
  },

  activity: {
    heading: "Letzte Aktivitäten",
    intro: "Anmeldungen und Änderungen an deinem Konto in den letzten 90 Tagen.",
    loading: "Deine Aktivitäten werden geladen…",
    nothing: "Noch nichts.",
    ipUnknown: "IP-Adresse unbekannt",
    ip: (ip) => `IP-Adresse ${ip}`,
    older: "Ältere Aktivitäten anzeigen",
    events: {
      emailVerified: "E-Mail-Adresse bestätigt",
      signedInCode: "Mit einem E-Mail-Code angemeldet",
      signedInPassword: "Mit deinem Passwort angemeldet",
      blockedUnverified: "Anmeldung abgelehnt: Die Adresse war noch nicht bestätigt",
      blockedPassword: "Anmeldung abgelehnt: falsches Passwort",
      passwordChanged: "Passwort geändert",
      emailChanged: "E-Mail-Adresse geändert",
      emailChangeUndone:
        "E-Mail-Änderung von der alten Adresse aus rückgängig gemacht; alle Sitzungen abgemeldet",
      sessionRevoked: "Eine Sitzung wurde abgemeldet",
      locked: "Konto nach zu vielen fehlgeschlagenen Versuchen gesperrt",
      unlocked: "Konto entsperrt",
      signedOutEverywhere: "Überall abgemeldet",
      signedOutEverywhereCount: (n) =>
        `Überall abgemeldet (${n} ${n === 1 ? "Sitzung" : "Sitzungen"})`,
    },
  },

  changeEmail: {
    title: "Ändere deine E-Mail-Adresse",
    lead: "Dein Konto verwendet {email}. Wir schicken einen Code an die neue Adresse, um sicherzugehen, dass sie dir gehört; bis du ihn eingibst, ändert sich nichts.",
    label: "Neue E-Mail-Adresse",
    submit: "Code senden",
    back: "Zurück zu deinem Konto",
    checkInbox: "Sieh in deinem neuen Postfach nach",
    confirmTitle: "Bestätige deine neue E-Mail-Adresse",
    confirmLead: (code) =>
      `Wenn {email} verwendet werden kann, haben wir ${code} dorthin geschickt. Gib ihn ein, um sie zur Adresse deines Kontos zu machen.`,
    codeLabel: (length) => `Bestätigungscode (${length} Ziffern)`,
    confirm: "Neue Adresse bestätigen",
    confirming: "Wird bestätigt…",
    wrongAddress: "Falsche Adresse? {button}. Oder {link}.",
    reauthTitle: "Bestätige, dass du es bist",
    reauthLead:
      "Eine neue E-Mail-Adresse ändert, wie dein Konto erreicht wird: Bestätige deshalb zuerst, dass du es bist.",
    reauthPassword: "Dein Passwort",
    reauthSubmit: "Bestätigen",
    reauthPending: "Wird bestätigt…",
    reauthByCode: "Kein Passwort? Schick mir stattdessen einen Code",
    reauthCodeLead: (code) =>
      `Wir haben ${code} an {email} geschickt. Gib ihn ein, um zu bestätigen, dass du es bist.`,
    reauthCodeLabel: (length) => `Code (${length} Ziffern)`,
    keepCurrent: "behalte die jetzige",
  },

  notFound: {
    title: "Seite nicht gefunden",
    lead: "Unter dieser Adresse gibt es nichts.",
    aside: "{create} oder {signIn}",
    create: "Konto erstellen",
    signIn: "anmelden",
  },

  mailbox: {
    title: "Entwicklungs-Postfach",
    onlyInDevelopment:
      "Das Postfach gibt es nur in der Entwicklung. Hier gehen E-Mails per SMTP an echte Postfächer.",
    lead: "Alle E-Mails, die die API ohne SMTP gesendet hat, die neueste zuerst. Nur in der Entwicklung; wird jede Sekunde aktualisiert.",
    empty: "Noch keine E-Mails. Erstelle ein Konto, dann erscheint hier seine Bestätigungs-E-Mail.",
    count: (n) => `${n} E-Mails`,
    to: "An",
    sent: "Gesendet",
    frameTitle: (to, subject) => `E-Mail an ${to}: ${subject}`,
    plainText: "Textversion",
    link: "Link",
    openLink: "Den Link neben dem Code öffnen",
  },
};
export default de;
