import type { Messages } from "./messages.js";

// Intl formatters are costly to build and cheap to reuse: one of each per catalogue.
const unitFormatters = {
  hour: new Intl.NumberFormat("en", { style: "unit", unit: "hour", unitDisplay: "long" }),
  minute: new Intl.NumberFormat("en", { style: "unit", unit: "minute", unitDisplay: "long" }),
  second: new Intl.NumberFormat("en", { style: "unit", unit: "second", unitDisplay: "long" }),
};
const dateTimeFormatter = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "long",
  timeStyle: "short",
  // The recipient's zone is unknown here, so say UTC and say so.
  timeZone: "UTC",
});

export const en: Messages = {
  lang: "en",
  dir: "ltr",

  // Largest whole unit, so 900 reads "15 minutes" and 90 stays "90 seconds".
  formatDuration(seconds) {
    if (seconds % 3600 === 0) return unitFormatters.hour.format(seconds / 3600);
    if (seconds % 60 === 0) return unitFormatters.minute.format(seconds / 60);
    return unitFormatters.second.format(seconds);
  },
  formatDateTime(date) {
    return `${dateTimeFormatter.format(date)} UTC`;
  },

  codeExpiresIn: (duration) => `This code expires in ${duration}.`,
  earlierCodesNoLongerWork: "Any code we sent you before no longer works.",
  linkIntro:
    "On the device where you read this, you can open the link instead of typing the code; the page it opens asks you to confirm.",
  linkAsText: (link) => `If the button does not work, open this link: ${link}`,
  sentTo: (to, productName) => `This email was sent to ${to} by ${productName}.`,

  kinds: {
    VERIFICATION_CODE: {
      subject: (productName) => `Verify your email for ${productName}`,
      preview: (productName) => `Your code to finish creating your ${productName} account.`,
      heading: "Verify your email address",
      intro: (productName, to) =>
        `Enter this code in ${productName} to confirm that ${to} is your address and finish creating your account.`,
      linkButton: "Verify your address",
      notRequested:
        "You did not ask for this? Then you can ignore this email; no account is created without this code.",
    },
    PASSWORD_RESET_CODE: {
      subject: (productName) => `Reset your ${productName} password`,
      preview: (productName) => `Your code to choose a new ${productName} password.`,
      heading: "Reset your password",
      intro: (productName, to) =>
        `Enter this code in ${productName} to choose a new password for ${to}.`,
      linkButton: "Choose a new password",
      notRequested:
        "You did not ask for this? Then you can ignore this email; your password stays as it is.",
    },
    SIGN_IN_CODE: {
      subject: (productName) => `Sign in to ${productName}`,
      preview: (productName) => `Your code to sign in to ${productName}.`,
      heading: "Your sign-in code",
      intro: (productName, to) => `Enter this code in ${productName} to sign in as ${to}.`,
      linkButton: "Sign in",
      notRequested:
        "You did not ask for this? Then you can ignore this email; nobody can sign in without this code.",
    },
    EMAIL_CHANGE_CODE: {
      subject: (productName) => `Confirm your new email address for ${productName}`,
      preview: (productName) => `Your code to confirm your new ${productName} email address.`,
      heading: "Confirm your new email address",
      intro: (productName, to) =>
        `Enter this code in ${productName} to make ${to} the email address of your account.`,
      linkButton: "Confirm the new address",
      notRequested:
        "You did not ask for this? Then you can ignore this email; no account will use this address without this code.",
    },
    REAUTHENTICATION_CODE: {
      subject: (productName) => `Confirm it is you at ${productName}`,
      preview: (productName) => `Your code to confirm a change to your ${productName} account.`,
      heading: "Confirm it is you",
      intro: (productName, to) =>
        `Enter this code in ${productName}, where you are signed in as ${to}, to confirm it is you before changing how your account is reached.`,
      linkButton: "Confirm it is me",
      notRequested:
        "You did not ask for this? Then someone may be signed in to your account: sign out everywhere from the account page and choose a new password.",
    },
    PASSWORD_CHANGED: {
      subject: (productName) => `Your ${productName} password was changed`,
      preview: (productName) => `The password of your ${productName} account was changed.`,
      heading: "Your password was changed",
      changedOn: (productName, to, when) =>
        `The password of the ${productName} account for ${to} was changed on ${when}.`,
      ifItWasYou: "If you made this change, there is nothing else to do.",
      ifItWasNotYou: "If you did not, reset your password now: someone else may know it.",
      resetPasswordButton: "Reset your password",
      whyYouGetThis: "We send this notice whenever the password of your account changes.",
    },
    ALREADY_REGISTERED: {
      subject: (productName) => `You already have an account with ${productName}`,
      preview: (productName) => `Someone tried to sign up for ${productName} with your address.`,
      heading: "You already have an account",
      attempt: (productName, to) =>
        `Someone, probably you, just tried to sign up for ${productName} with ${to}. This address already has an account, so nothing was changed.`,
      advice: "If that was you, sign in with your existing account instead.",
      signInButton: "Sign in",
      forgotPassword: "Forgot your password?",
      resetPasswordLink: "Reset it here",
      notRequested:
        "You did not ask for this? Then you can ignore this email; your account stays as it is.",
    },
    EMAIL_CHANGED: {
      subject: (productName) => `The email address of your ${productName} account was changed`,
      preview: (productName) => `Your ${productName} account now uses another email address.`,
      heading: "Your email address was changed",
      changed: (productName, oldEmail, newEmail) =>
        `The ${productName} account that used ${oldEmail} now uses ${newEmail}. Emails about the account go to the new address from now on.`,
      ifItWasYou: "If you made this change, there is nothing else to do.",
      ifItWasNotYou: (when) =>
        `If you did not, undo the change with the button below: the account gets this address back and every session of it is signed out. The link works once, until ${when}.`,
      undoButton: "Undo the change",
      whyYouGetThis: "We tell the old address whenever the email address of an account changes.",
    },
    PASSWORD_LIMIT_REACHED: {
      subject: (productName) => `Too many wrong passwords for your ${productName} account`,
      preview: (productName) => `Someone typed wrong passwords for your ${productName} account.`,
      heading: "Too many wrong passwords",
      attempts: (productName, to) =>
        `Someone typed too many wrong passwords for the ${productName} account of ${to}. Signing in with a password is paused for a while, even with the right one.`,
      details: (when, ip, browser, os) =>
        `The last attempt: ${when}, from the IP address ${ip}, with ${browser} on ${os}.`,
      unknownBrowser: "an unknown browser",
      unknownSystem: "an unknown system",
      ifItWasYou: "If that was you, wait a few minutes, or sign in with a code instead.",
      ifItWasNotYou:
        "If it was not you, someone may be trying to guess your password: choose a new, unique one now.",
      resetPasswordButton: "Choose a new password",
      whyYouGetThis: "We send this notice at most once in each waiting period.",
    },
    ACCOUNT_LOCKED: {
      subject: (productName) => `Your ${productName} account is locked`,
      preview: (productName) => `Unlock your ${productName} account with the link inside.`,
      heading: "Your account is locked",
      locked: (productName, to) =>
        `There were too many failed attempts in a row to sign in to the ${productName} account of ${to} or to use its codes, so it is locked: no code and no password works until you unlock it.`,
      unlockWith: "To unlock it, open this link and press the button on the page:",
      link: (link) => link,
      linkExpires: (when) => `The link works once, until ${when}.`,
      ifItWasNotYou:
        "If the failed attempts were not yours, someone may be trying to get into your account: after unlocking, choose a new password.",
      unlockButton: "Unlock your account",
      whyYouGetThis:
        "We send this email when an account is locked, so that only its owner can unlock it.",
    },
    NEW_SIGN_IN: {
      subject: (productName) => `New sign-in to your ${productName} account`,
      preview: (productName) => `Your ${productName} account was signed in to from a new device.`,
      heading: "New sign-in to your account",
      signedIn: (productName, to, when, device, ip) =>
        `The ${productName} account for ${to} was signed in to on ${when}, from ${device} (IP address ${ip}), a device it had not been used on before.`,
      ifItWasYou: "If it was you, there is nothing else to do.",
      ifItWasNotYou:
        "If it was not you, open your account page, end that session under “Where you’re signed in”, and reset your password: someone else may know it.",
      accountButton: "Review where you're signed in",
      whyYouGetThis:
        "We send this notice whenever your account is signed in to from a device it had not been used on.",
    },
  },
};
