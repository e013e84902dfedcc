import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// GraphiQL, built from npm packages into dist/graphiql/ after the portal (whose build empties dist/ first); the
// BFF serves its index.html for GET /graphql in development, or when GRAPHIQL=true. No CDN: it works offline.
export default defineConfig({
  root: "graphiql",
  base: "/graphiql/",
  plugins: [react()],
  build: { outDir: "../dist/graphiql", emptyOutDir: true, sourcemap: false, target: "es2022" },
});
