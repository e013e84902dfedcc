import { describe, expect, it } from "vitest";
import type { DeviceTaskFieldsFragment, IncidentFieldsFragment } from "../gql/graphql";
import { incidentHeadline, incidentWhen, mergeIncident } from "./OutageBanner";
import { taskText } from "./WifiRouter";

const incident = (reference: string, status: "OPEN" | "RESOLVED", planned = false): IncidentFieldsFragment => ({
  __typename: "ServiceIncident",
  reference,
  kind: planned ? "MAINTENANCE" : "OUTAGE",
  status,
  title: "Fibre cut",
  message: "",
  planned,
  startsAt: "2026-11-25T10:00:00Z",
  estimatedEnd: null,
  affectedSubServices: [],
});

describe("outage banner", () => {
  it("adds an opened incident, updates it, and removes it once resolved", () => {
    const one = mergeIncident([], incident("INC-1", "OPEN"));
    expect(one.map((i) => i.reference)).toEqual(["INC-1"]);
    const two = mergeIncident(one, incident("INC-2", "OPEN", true));
    expect(two.map((i) => i.reference)).toEqual(["INC-1", "INC-2"]);
    expect(mergeIncident(two, incident("INC-1", "RESOLVED")).map((i) => i.reference)).toEqual(["INC-2"]);
  });

  it("says what it is and when service is back", () => {
    expect(incidentHeadline(incident("INC-1", "OPEN"))).toBe("Outage: Fibre cut");
    expect(incidentHeadline(incident("INC-1", "OPEN", true))).toBe("Planned maintenance: Fibre cut");
    expect(incidentWhen(incident("INC-1", "OPEN"))).toBe("We do not have an estimate yet.");
    expect(incidentWhen({ ...incident("INC-1", "OPEN"), estimatedEnd: "2026-11-25T18:00:00Z" })).toMatch(/^Service should be back by about /);
  });
});

describe("device tasks", () => {
  const task = (status: "PENDING" | "DONE" | "FAILED", failure: string | null = null): DeviceTaskFieldsFragment => ({
    __typename: "DeviceTask",
    reference: "TSK-1",
    action: "CHANGE_WIFI",
    status,
    failure,
    createdAt: "2026-11-25T10:00:00Z",
    updatedAt: "2026-11-25T10:00:01Z",
  });
  it("words each status", () => {
    expect(taskText(task("PENDING"))).toBe("Wi-Fi change sent — waiting for the device to apply it…");
    expect(taskText(task("DONE"))).toBe("Wi-Fi change applied.");
    expect(taskText(task("FAILED", "Internal error (fault 9002)"))).toBe("Wi-Fi change failed: Internal error (fault 9002)");
    expect(taskText({ ...task("DONE"), action: "REBOOT" })).toBe("Restarted.");
  });
});
