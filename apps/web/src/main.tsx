import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createApi } from "./api/client.tsx";
import { App } from "./app/app.tsx";
import { ErrorBoundary } from "./app/error-boundary.tsx";
import { createQueryClient, Providers } from "./app/providers.tsx";
import { applyTheme, readTheme } from "./lib/theme.ts";
import "./styles.css";

applyTheme(readTheme());
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <Providers api={createApi()} queryClient={createQueryClient()}>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </Providers>
  </StrictMode>,
);
