import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where the dev server forwards API calls; the API's own default port unless API_URL says otherwise. */
const apiUrl = process.env.API_URL ?? "http://127.0.0.1:3000";
const proxy = { "/trpc": apiUrl, "/api": apiUrl };

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: {
    target: "es2022",
    // The bundle-size script reads the entry's static imports from the manifest.
    manifest: true,
  },
});
