import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The BFF serves web/dist at "/" with an SPA fallback; during `npm run dev` we proxy the API to a local BFF.
const bff = process.env.BFF_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, target: "es2022" },
  server: {
    proxy: {
      "/graphql": { target: bff, ws: true, changeOrigin: false },
      "/files": { target: bff, changeOrigin: false },
    },
  },
});
