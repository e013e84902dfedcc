import { CombinedError } from "@urql/core";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { onlyOutages, outages } from "../api/outage";
import { accountLine } from "./Layout";
import { StatusBadge } from "./StatusBadge";
import { SubServiceCard } from "./SubServiceCard";
import { Unavailable, unavailableText } from "./Unavailable";

// Partial answers: a backend down nulls only the fields it feeds, with BACKEND_UNAVAILABLE at their paths.

const outage = (backend: string, path: (string | number)[]) => ({
  message: "A system the portal depends on is temporarily unavailable. Please try again shortly.",
  path,
  extensions: { code: "BACKEND_UNAVAILABLE", backend },
});

describe("outages", () => {
  const error = new CombinedError({
    graphQLErrors: [
      outage("aaa", ["viewer", "subscriber", "subServices", "nodes", 0, "status"]),
      outage("aaa", ["viewer", "subscriber", "subServices", "nodes", 1, "status"]),
      outage("billing", ["viewer", "subscriber", "financialSummary"]),
    ],
  });

  it("names each failed backend once, under the fields asked about", () => {
    expect(outages(error)).toEqual(["aaa", "billing"]);
    expect(outages(error, "financialSummary")).toEqual(["billing"]);
    expect(outages(error, "nodes")).toEqual(["aaa"]);
    expect(outages(error, "invoices")).toEqual([]);
    expect(outages(null)).toEqual([]);
  });

  it("tells a partial answer from a failure", () => {
    expect(onlyOutages(error)).toBe(true);
    const mixed = new CombinedError({
      graphQLErrors: [outage("aaa", ["viewer"]), { message: "Unexpected error.", extensions: { code: "INTERNAL" } }],
    });
    expect(onlyOutages(mixed)).toBe(false);
    expect(onlyOutages(new CombinedError({ networkError: new Error("Failed to fetch") }))).toBe(false);
    // Refused before running (no path): not a partial answer.
    expect(onlyOutages(new CombinedError({ graphQLErrors: [{ message: "x", extensions: { code: "BACKEND_UNAVAILABLE" } }] }))).toBe(false);
  });
});

describe("Unavailable", () => {
  it("says in a sentence what is missing, as a status", () => {
    const out = renderToStaticMarkup(<Unavailable backends={["billing"]} />);
    expect(out).toContain('role="status"');
    expect(out).toContain('data-backend="billing"');
    expect(out).toContain("Billing is temporarily unavailable — invoices and balance will be back shortly.");
    expect(unavailableText("oss", "missing.yourDevices")).toBe(
      "Device and usage data is temporarily unavailable — your devices will be back shortly.",
    );
  });

  it("shows nothing when nothing is down", () => {
    expect(renderToStaticMarkup(<Unavailable backends={[]} />)).toBe("");
  });
});

describe("null fields", () => {
  it("a service card without status, devices and billing still shows the service", () => {
    const out = renderToStaticMarkup(
      <MemoryRouter>
        <SubServiceCard
          service={{
            __typename: "SubService",
            id: "U3ViU2VydmljZTpTUy0xMDAyLTE=",
            label: "Internet – Home",
            location: "4 Mill Road",
            kind: "INTERNET",
            status: null,
            statusReason: null,
            statusSince: null,
            expiresAt: null,
            profile: null,
            liveSession: null,
            devices: null,
            billing: null,
          }}
        />
      </MemoryRouter>,
    );
    expect(out).toContain("Internet – Home");
    expect(out).toContain('data-status="UNKNOWN"');
    expect(out).toContain("Status unavailable");
    expect(out).not.toContain("Active");
    expect(out).not.toContain("No devices");
    expect(out).toContain("Unavailable right now");
  });

  it("a status badge never claims a status it does not know", () => {
    expect(renderToStaticMarkup(<StatusBadge status={null} />)).toContain("Status unavailable");
  });

  it("the account line shows what is known", () => {
    expect(accountLine({ kind: "ENTERPRISE", accountNumber: "WG-200101" })).toBe("Enterprise · Account WG-200101");
    expect(accountLine({ kind: null, accountNumber: null })).toBe("");
  });
});
