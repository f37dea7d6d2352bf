/**
 * The CLI's side of the admin endpoint: one request to the owner's socket, its
 * answer validated. Only Node built-ins and the protocol: loaded without the
 * database drivers.
 */
import { connect } from "node:net";
import { type AdminAnswer, type AdminRequest, adminAnswerSchema } from "./protocol.js";

/** An answer is the command's output: stats and cleanup summaries, a few KiB. */
const MAX_ANSWER_BYTES = 1_048_576;
const CONNECT_TIMEOUT_MS = 5000;

/** Sends `request` to the admin socket at `path`; rejects when nothing answers there. */
export function askOwner(path: string, request: AdminRequest): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let received = "";
    const connectTimer = setTimeout(() => {
      socket.destroy(new Error(`no answer from ${path} within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      clearTimeout(connectTimer);
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received.length > MAX_ANSWER_BYTES) socket.destroy(new Error("answer too long"));
    });
    socket.on("error", (error) => {
      clearTimeout(connectTimer);
      reject(error);
    });
    socket.on("end", () => {
      clearTimeout(connectTimer);
      try {
        const parsed = adminAnswerSchema.safeParse(JSON.parse(received));
        if (parsed.success) resolve(parsed.data);
        else reject(new Error(`unexpected answer from ${path}`));
      } catch {
        reject(new Error(`unexpected answer from ${path}`));
      }
    });
  });
}
