export type { AppRouter as OtpRouter } from "./trpc/router.js";
