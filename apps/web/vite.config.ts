import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dashboard SPA. `vite build` writes `dist/`, which the server serves at `/`. */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8420", ws: true },
    },
  },
});
