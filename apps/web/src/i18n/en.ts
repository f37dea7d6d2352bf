/**
 * The web app's words in English: the reference catalogue. Every other language is
 * typed by it (`Catalogue`), so the compiler rejects a missing key, and a parity test
 * checks extra keys and placeholders. Two kinds of entry:
 *
 * - a string, which may name parts of a sentence in braces (`{link}`, `{email}`): the
 *   page puts an element there (`rich()`), so a translation can move them;
 * - a function, for words that depend on a value (counts, times, lengths): a
 *   translation must use each argument it is given.
 */
export const en = {
  lang: "en",
  /** Locale for dates and clock times; undefined: the visitor's own (as before languages). */
  dateLocale: undefined as string | undefined,

  app: {
    skipToContent: "Skip to content",
    loading: "Loading…",
    tryAgain: "Try again",
    home: "Home",
    navLabel: "Account",
    account: "Account",
    signIn: "Sign in",
  },

  time: {
    now: "now",
    justNow: "just now",
    /** "in 12 minutes (at 14:32)" */
    inWithClock: (duration: string, clock: string) => `${duration} (at ${clock})`,
    seconds: (n: number) => `${n} s`,
    minutes: (n: number) => `${n} min`,
  },

  fields: {
    email: "Email address",
    password: "Password",
    newPassword: "New password",
    showPassword: "Show password",
    hidePassword: "Hide password",
    show: "Show",
    hide: "Hide",
    passwordRules: (min: number, max: number) =>
      `Use ${min} to ${max} characters. Any characters and spaces are fine, and common or breached passwords are refused: a few unrelated words make a strong one.`,
  },

  /**
   * What is wrong with a field the API refused. The API words its field messages in
   * English (with the rule's numbers): English shows them as they are (null), every
   * other language says it in its own words.
   */
  fieldProblems: null as FieldProblems | null,

  code: {
    /** "a 6-digit code", "an 8-digit code": the code, named in a sentence. */
    aCodeOfLength: (length: number) =>
      // "an" before the numbers said with a vowel sound: eight, eleven, eighteen, eighty…
      `${/^(8|11|18)$|^8\d$/.test(String(length)) ? "an" : "a"} ${length}-digit code`,
    checking: "Checking…",
    sending: "Sending…",
    sendNewCode: "Send a new code",
    sendNewCodeIn: (wait: string) => `Send a new code (${wait})`,
    noEmail:
      "No email? Check your spam folder, or ask for a new code. The newest code is the only one that works.",
    devMailbox: "Development: read the code in the {link} (opens in a new tab).",
    devMailboxLink: "dev mailbox",
    wrongAddress: "Wrong address? {button}.",
    useDifferent: "Use a different one",
  },

  errors: {
    unreadableRequest: "The service could not read this request. Reload the page and try again.",
    newCodeWontHelp: "A new code will not help before then.",
    checkBelow: "Check the details below.",
    notValid: "Some of the details are not valid.",
    codeWrong: "That code is not correct. Check the latest email.",
    waitAWhile: "Wait a while before trying again.",
    tryAgainAt: (when: string) => `You can try again ${when}.`,
    lastTry: (then: string) =>
      `That code is not correct, and that was the last try for now. ${then}`,
    attemptsLeft: (n: number) =>
      `That code is not correct. You have ${n === 1 ? "1 attempt" : `${n} attempts`} left.`,
    expired: "That code has expired. Send a new code, then enter it here.",
    linkExpired: "This link has expired, like the code beside it. Ask for a new email.",
    linkAlreadyUsed:
      "This link, or the code beside it, has already been used. Nothing more to do here if that was you.",
    linkInvalid:
      "This link does not work: a newer email replaced it, or it was not copied whole. Use the latest email, or type its code.",
    alreadyUsed:
      "That code has already been used. If your email is not verified yet, send a new code.",
    replaced:
      "That code was replaced by a newer one. Enter the code from the latest email (this try was not counted).",
    tooManyPasswordsNoTime: "Too many incorrect passwords. Wait a while, then try again.",
    tooManyCodesNoTime: "Too many incorrect codes. Wait a while, then try again.",
    tooManyPasswords: (when: string) =>
      `Too many incorrect passwords for this account. ${when} Or sign in with a code instead.`,
    tooManyCodes: (when: string) => `Too many incorrect codes. ${when}`,
    cooldownNoTime: "A code was sent a moment ago. Wait a little, then ask again.",
    cooldown: (when: string) => `A code was sent a moment ago. You can ask for another ${when}.`,
    hourlyCapNoTime:
      "The most codes allowed in an hour were sent to this address. Wait a while, then ask again.",
    hourlyCap: (when: string) =>
      `The most codes allowed in an hour were sent to this address. You can ask for another ${when}. The latest code still works until it expires.`,
    accountLocked:
      "This account is locked after too many failed attempts. We emailed its address a link to unlock it: open the latest unlock email, then try again.",
    reauthenticationRequired:
      "Confirm that it is you first: enter your password, or a code we email you.",
    tokenInvalid:
      "This unlock link does not work: it was already used, or it has expired. If the account is still locked, look for a newer unlock email.",
    rateLimitedNoTime: "Too many requests from your network. Wait a minute, then try again.",
    rateLimited: (when: string) =>
      `Too many requests from your network. You can try again ${when}.`,
    unavailable: "The service is temporarily unavailable. Try again in a moment.",
    userNotFound: "There is no account for this address.",
    invalidCredentials:
      "That email and password do not match an account. Check both, or reset your password.",
    emailNotVerified:
      "This email address is not verified yet. Send a verification code to it, enter the code, then sign in.",
    unauthorized: "Sign in to continue.",
    emailTaken: "That email address now belongs to another account. Choose a different address.",
    notFound: "This is not available here.",
    internal: "Something went wrong on our side. Try again in a moment.",
    network: "The service could not be reached. Check your connection, then try again.",
  },

  form: {
    codeIncomplete: (length: number) => `Enter all ${length} digits of the code.`,
    sameAddress: "That is already the address of your account. Enter a different one.",
    addressMalformed: "Enter an email address like name@example.com.",
    codeResent: "A new code was sent. Earlier codes no longer work.",
    attemptsStillLeft: (n: number) =>
      `You still have ${n === 1 ? "1 attempt" : `${n} attempts`} left: a new code does not add any.`,
    codesRefused: (clock: string, newCodeWontHelp: string) =>
      `After too many incorrect codes, codes are refused until ${clock}. ${newCodeWontHelp}`,
    codesAllowedAgain: "You can enter a code again now.",
  },

  createAccount: {
    title: "Create account",
    heading: "Create your account",
    lead: "We will email you a code to confirm the address.",
    submit: "Create account",
    pending: "Creating account…",
    haveAccount: "Already have an account? {link}.",
    signIn: "Sign in",
  },

  signIn: {
    title: "Sign in",
    heading: "Sign in",
    lead: "With the email address and password of your account.",
    submit: "Sign in",
    pending: "Signing in…",
    sendVerification: "Send a verification code",
    withCode: "Sign in with a code instead",
    forgot: "Forgot your password?",
    noAccount: "No account yet? {link}.",
    createAccount: "Create an account",
    notices: {
      signedOut: "You are signed out.",
      signedOutEverywhere: "You are signed out everywhere: on this device and on every other.",
      passwordReset:
        "Your password was changed, and every session of your account was signed out. Sign in with your new password.",
      emailVerified: "Your email is verified. Sign in with your password.",
      unlocked: "Your account is unlocked. Sign in to continue.",
    },
  },

  verify: {
    checkEmail: "Check your email",
    title: "Enter your verification code",
    lead: (code: string) =>
      `If {email} has an account waiting to be verified, we sent it ${code}. Enter it to verify the address.`,
    // Where the page knows an email went out (see PageState.emailSent); the same for every address.
    sentLead: "We sent an email to {email}. Enter the code from it to verify the address.",
    label: (length: number) => `Verification code (${length} digits)`,
    submit: "Verify email",
    wrongAddress: "Wrong address? {link}.",
    createAgain: "Create the account again",
    askTitle: "Verify your email",
    askLabel: "Which email address did you register with?",
    continue: "Continue",
    continuing: "Continuing…",
    noAccount: "No account yet? {link}.",
    createOne: "Create one",
  },

  signInWithCode: {
    title: "Sign in with a code",
    lead: "We will email you a code to sign in with. No password needed.",
    emailMe: "Email me a code",
    withPassword: "Sign in with your password instead",
    enterTitle: "Enter your sign-in code",
    enterLead: (code: string) =>
      `If {email} has an account, we sent it ${code}. Enter it to sign in.`,
    label: (length: number) => `Sign-in code (${length} digits)`,
  },

  reset: {
    title: "Reset your password",
    lead: "Enter the email address of your account. We will send it a code to choose a new password.",
    emailMe: "Email me a code",
    remembered: "Remembered it? {link}.",
    signIn: "Sign in",
    chooseTitle: "Choose a new password",
    chooseLead: (code: string) =>
      `If {email} has an account, we sent it ${code}. Enter it with your new password. Every session of the account will be signed out.`,
    label: (length: number) => `Reset code (${length} digits)`,
    submit: "Change password",
    pending: "Changing password…",
    notices: {
      emailVerifiedNoPassword:
        "Your email is verified. The password chosen when the account was created was not confirmed in this browser, so it does not work: ask for a code below to choose a password.",
    },
  },

  link: {
    title: "Your email link",
    checking: "Checking the link…",
    notYet: "Nothing happens until you press the button.",
    goToSignIn: "Go to sign in",
    notNow: "Not now",
    steps: {
      VERIFICATION: {
        heading: "Verify your email address",
        lead: "Verify {email} as the address of your account.",
        button: "Verify my address",
        pending: "Verifying…",
      },
      SIGN_IN: {
        heading: "Sign in",
        lead: "Sign in as {email} on this device.",
        button: "Sign in",
        pending: "Signing in…",
      },
      PASSWORD_RESET: {
        heading: "Choose a new password",
        lead: "Choose a new password for {email}. Every session of the account will be signed out.",
        button: "Change password",
        pending: "Changing password…",
      },
      EMAIL_CHANGE: {
        heading: "Confirm your new email address",
        lead: "Make {email} the address of your account.",
        button: "Confirm the new address",
        pending: "Confirming…",
      },
      REAUTHENTICATION: {
        heading: "Confirm it is you",
        lead: "Confirm that it is you, signed in as {email}, before changing how your account is reached.",
        button: "Confirm it is me",
        pending: "Confirming…",
      },
      EMAIL_CHANGE_UNDO: {
        heading: "Undo the email change",
        lead: "Give your account {email} back as its address. Every session of the account will be signed out.",
        button: "Undo the change",
        pending: "Undoing…",
      },
    },
    changeUndone:
      "Your account has its old address back, and every session was signed out. Sign in again; if you did not make the change, choose a new password.",
    signInFirst:
      "Sign in to the account that asked for this change, then open the link again (or enter the code from the email on the account page).",
  },

  unlock: {
    title: "Unlock your account",
    goToSignIn: "Go to sign in",
    lead: "Your account was locked after too many incorrect passwords or codes. Unlock it to sign in again.",
    advice:
      "If those attempts were not yours, someone may know or be guessing your password: after unlocking, sign in with a code and choose a new password.",
    submit: "Unlock my account",
    pending: "Unlocking…",
    notNow: "Not now",
  },

  account: {
    title: "Your account",
    notices: {
      emailChanged: "Your email address was changed. We told your old address.",
      emailVerified: "Your email is verified, and you are signed in.",
    },
    emailHeading: "Email address",
    changeEmail: "Change email",
    languageHeading: "Language",
    languageHint: "The language of this site and of every email we send you.",
    languageLabel: "Choose your language",
    languageSave: "Save language",
    languageSaving: "Saving…",
    languageSaved: "Your language was saved.",
    sessionsHeading: "Sessions",
    signedInUntil: "You are signed in on this device until {time}.",
    signOut: "Sign out",
    signingOut: "Signing out…",
    signOutEverywhere: "Sign out everywhere",
    everywhereHint:
      "Sign out everywhere ends every session of your account, on every device, this one included.",
  },

  sessions: {
    heading: "Where you’re signed in",
    intro:
      "Each device and browser signed in to your account. If you do not recognise one, sign it out and change your password.",
    loading: "Loading your sessions…",
    listLabel: "Sessions",
    thisDevice: "This device",
    ip: "IP address",
    unknown: "unknown",
    lastSeen: "Last seen",
    signedIn: "Signed in",
    signOutLabel: (device: string, when: string) =>
      `Sign out this session: ${device}, last seen ${when}`,
    signOut: "Sign out this session",
    ended: "The session was signed out.",
    deviceEnded: (device: string) => `${device} was signed out.`,
    alreadyEnded: "That session had already ended.",
  },

  // A device as the API names it from its User-Agent: the browser and system names stay.
  devices: {
    browserOn: (browser: string, system: string) => `${browser} on ${system}`,
    aBrowserOn: (system: string) => `A browser on ${system}`,
    unknown: "Unknown device",
  },

  activity: {
    heading: "Recent activity",
    intro: "Sign-ins and changes to your account over the last 90 days.",
    loading: "Loading your activity…",
    nothing: "Nothing yet.",
    ipUnknown: "IP address unknown",
    ip: (ip: string) => `IP address ${ip}`,
    older: "Show older activity",
    events: {
      emailVerified: "Email address verified",
      signedInCode: "Signed in with an email code",
      signedInPassword: "Signed in with your password",
      blockedUnverified: "Sign-in refused: the address was not verified yet",
      blockedPassword: "Sign-in refused: wrong password",
      passwordChanged: "Password changed",
      emailChanged: "Email address changed",
      emailChangeUndone: "Email change undone from the old address; every session signed out",
      sessionRevoked: "A session was signed out",
      locked: "Account locked after too many failed attempts",
      unlocked: "Account unlocked",
      signedOutEverywhere: "Signed out everywhere",
      signedOutEverywhereCount: (n: number) =>
        `Signed out everywhere (${n} ${n === 1 ? "session" : "sessions"})`,
    },
  },

  changeEmail: {
    title: "Change your email address",
    lead: "Your account uses {email}. We will send a code to the new address to make sure it is yours; nothing changes until you enter it.",
    label: "New email address",
    submit: "Send a code",
    back: "Back to your account",
    checkInbox: "Check your new inbox",
    confirmTitle: "Confirm your new email address",
    confirmLead: (code: string) =>
      `If {email} can be used, we sent it ${code}. Enter it to make this the address of your account.`,
    codeLabel: (length: number) => `Confirmation code (${length} digits)`,
    confirm: "Confirm new address",
    confirming: "Confirming…",
    wrongAddress: "Wrong address? {button}. Or {link}.",
    reauthTitle: "Confirm it is you",
    reauthLead:
      "Changing your email address changes how your account is reached, so confirm that it is you first.",
    reauthPassword: "Your password",
    reauthSubmit: "Confirm",
    reauthPending: "Confirming…",
    reauthByCode: "No password? Email me a code instead",
    reauthCodeLead: (code: string) => `We sent ${code} to {email}. Enter it to confirm it is you.`,
    reauthCodeLabel: (length: number) => `Code (${length} digits)`,
    keepCurrent: "keep the current one",
  },

  notFound: {
    title: "Page not found",
    lead: "There is nothing at this address.",
    aside: "{create} or {signIn}",
    create: "Create an account",
    signIn: "sign in",
  },

  mailbox: {
    title: "Dev mailbox",
    onlyInDevelopment:
      "The mailbox exists only in development. Here, emails go to real inboxes by SMTP.",
    lead: "Every email the API sent while running without SMTP, newest first. Development only; refreshes every second.",
    empty: "No emails yet. Create an account and its verification email shows here.",
    count: (n: number) => `${n} emails`,
    to: "To",
    sent: "Sent",
    frameTitle: (to: string, subject: string) => `Email to ${to}: ${subject}`,
    plainText: "Plain-text version",
    link: "Link",
    openLink: "Open the link beside the code",
  },
};

/** A language's own words for a field the API refused (the field names are the API's). */
export interface FieldProblems {
  byField: Record<
    "email" | "newEmail" | "password" | "newPassword" | "code" | "token" | "locale",
    string
  >;
  /** Any other field. */
  other: string;
}

/** What every catalogue must provide: the English one's shape, with its words widened to `string`. */
export type Catalogue = Widen<typeof en>;

type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => string
    ? (...args: A) => string
    : T extends object
      ? { [K in keyof T]: Widen<T[K]> }
      : T;
