import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadPage } from "./app.js";
import { LocaleProvider } from "./i18n/index.js";
import { createApiClient, createQueryClient, TRPCProvider } from "./trpc.js";
import "./styles.css";

// The page asked for, if it is one loaded on demand, downloads beside the first answers.
preloadPage(window.location.pathname);

const queryClient = createQueryClient();
const trpcClient = createApiClient();

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <LocaleProvider>
          <App />
        </LocaleProvider>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
