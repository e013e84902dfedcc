// Run every generated operation against a live BFF, the way the browser does (cookie session + X-CSRF-Token).
// Usage (after `npm run build` or `npm run codegen`):
//   BASE=http://127.0.0.1:8000 node scripts/smoke-live.mjs ana@lima.example [password]
// Prints one line per operation; any "errors" in the output point at a drift between web/ and the BFF.
import { readFileSync } from "node:fs";
import { print } from "graphql";

const base = process.env.BASE ?? "http://127.0.0.1:8000";
const email = process.argv[2] ?? "ana@lima.example";
const password = process.argv[3] ?? "wispgate-demo";
const width = Number(process.env.WIDTH ?? 240);

const generated = readFileSync(new URL("../src/gql/graphql.ts", import.meta.url), "utf8");
const docs = {};
for (const m of generated.matchAll(/export const (\w+)Document = (\{.*\}) as unknown as DocumentNode</g)) {
  docs[m[1]] = print(JSON.parse(m[2]));
}

const jar = new Map();
async function run(name, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
      "x-csrf-token": jar.get("wg_csrf") ?? "",
    },
    body: JSON.stringify({ operationName: name, query: docs[name], variables }),
  });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const eq = pair.indexOf("=");
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const body = await response.json();
  const flag = body.errors ? "ERR" : "ok ";
  console.log(`${flag} ${name.padEnd(22)} ${JSON.stringify(body).slice(0, width)}`);
  return body;
}

await run("Login", { email, password });
await run("Viewer");
await run("DashboardSummary");
const services = await run("DashboardServices", { first: 24 });
const first = services.data?.viewer?.subscriber?.subServices?.nodes?.[0];
const today = new Date().toISOString().slice(0, 10);
const from = new Date(Date.parse(today) - 29 * 86_400_000).toISOString().slice(0, 10);
if (first) await run("SubServiceDetail", { id: first.id, from, to: today });
for (const status of [null, "OPEN", "OVERDUE", "PAID"]) {
  const invoices = await run("Invoices", { first: 20, status });
  const invoice = invoices.data?.viewer?.subscriber?.invoices?.nodes?.[0];
  if (invoice && status === null) await run("InvoicePdf", { id: invoice.id });
}
await run("BillingCycles");
await run("WalletHistory", { first: 20 });
await run("Installments", { first: 100 });
await run("Overview");
await run("ConsolidatedStatement");
// Read-only operations of the money pages (mutations are not run here: they move money or start checkouts).
await run("InvoicesWallet");
await run("Notifications");
await run("PaymentMethods");
await run("PaymentReturnWallet");
await run("PaymentReturnCards");
const anyInvoice = (await run("Invoices", { first: 1, status: null })).data?.viewer?.subscriber?.invoices?.nodes?.[0];
if (anyInvoice) await run("PaymentReturnInvoice", { id: anyInvoice.id });
await run("RefreshSession");
await run("Logout");
await run("Viewer");
