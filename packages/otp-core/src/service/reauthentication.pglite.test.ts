import { defineReauthenticationContract } from "./reauthentication.contract.js";

defineReauthenticationContract("pglite");
