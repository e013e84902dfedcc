// Typed operations are generated from the BFF's exported SDL. The file is produced from the Python code and may
// lag behind during development: point SCHEMA_PATH at another SDL file (e.g. the target schema) to build anyway.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";
import { parse } from "graphql";

const schemaPath = resolve(process.env.SCHEMA_PATH ?? "../schema/schema.graphql");

/**
 * The SDL text. A hand-written schema may open with a file-level `"""…"""` note that describes nothing (it is
 * directly followed by another description), which GraphQL rejects; such a note is turned into `#` comments.
 */
function schemaSource(path: string): string {
  let sdl: string;
  try {
    sdl = readFileSync(path, "utf8");
  } catch {
    throw new Error(`GraphQL schema not found at ${path}. Export it from the BFF or set SCHEMA_PATH to an SDL file.`);
  }
  try {
    parse(sdl);
    return sdl;
  } catch (error) {
    const orphan = /^\s*"""([\s\S]*?)"""(?=\s*(?:"|#))/.exec(sdl);
    if (!orphan) throw error;
    const comment = (orphan[1] ?? "")
      .split("\n")
      .map((line) => `# ${line}`.trimEnd())
      .join("\n");
    const fixed = comment + sdl.slice(orphan[0].length);
    parse(fixed);
    return fixed;
  }
}

const config: CodegenConfig = {
  schema: schemaSource(schemaPath),
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*", "!src/**/*.test.{ts,tsx}"],
  ignoreNoDocuments: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      // Every operation also gets its SHA-256 id (`document.__meta__.hash`, "sha256:<hex>") and goes into
      // src/gql/persisted-documents.json: the trusted documents a production BFF runs (scripts/trusted-documents.mjs
      // copies them to ../schema/trusted-documents.json; a test fails when that copy drifts).
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      // Every selection asks for `__typename`, in the documents and in their trusted (persisted) text alike: the
      // normalized cache (src/api/cache.ts) keys entities by type and id, and a production build sends only the id.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Money amounts and dates stay strings end to end: never floats, never timezone-shifted Date objects.
        scalars: { DateTime: "string", Date: "string", Decimal: "string" },
      },
    },
  },
};

export default config;
