// The web portal's trusted documents, for the BFF: src/gql/persisted-documents.json (written by `npm run codegen`)
// copied to ../schema/trusted-documents.json, keys sorted so that the file only changes when an operation does.
// `--check`: exit 1 instead of writing when the copy is out of date (src/api/trustedDocuments.test.ts does the same).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const generated = resolve(web, "src/gql/persisted-documents.json");
const target = resolve(web, "../schema/trusted-documents.json");

export function manifest() {
  const documents = JSON.parse(readFileSync(generated, "utf8"));
  const sorted = Object.fromEntries(Object.keys(documents).sort().map((id) => [id, documents[id]]));
  return JSON.stringify(sorted, null, 2) + "\n";
}

/** The checked-in copy ("" when there is none). */
export function checkedIn() {
  try {
    return readFileSync(target, "utf8");
  } catch {
    return "";
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = manifest();
  if (process.argv.includes("--check")) {
    if (checkedIn() !== text) {
      console.error(`${target} is out of date; run: cd web && npm run trusted-documents`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target} (${Object.keys(JSON.parse(text)).length} documents)`);
  }
}
