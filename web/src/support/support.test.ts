import { afterEach, describe, expect, it, vi } from "vitest";
import { eventText, isDone } from "./labels";
import { OpenTicketMutation } from "./operations";
import { formatBytes, uploadMutation } from "./upload";

// The GraphQL multipart request the Support pages send (what the server's parser and CSRF check expect), and
// the sentences of a ticket's history.

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: FormData;
}

function fakeXhr(status: number, response: unknown): Sent[] {
  const sent: Sent[] = [];
  class FakeXhr {
    method = "";
    url = "";
    headers: Record<string, string> = {};
    status = 0;
    responseText = "";
    withCredentials = false;
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
      onprogress: null,
    };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    send(body: FormData) {
      sent.push({ method: this.method, url: this.url, headers: this.headers, body });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      this.status = status;
      this.responseText = JSON.stringify(response);
      this.onload?.();
    }
  }
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  vi.stubGlobal("document", { cookie: "wg_csrf=token-123" });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe("uploadMutation", () => {
  it("sends operations, map and files with the CSRF header, reporting progress", async () => {
    const sent = fakeXhr(200, { data: { openTicket: { ticket: { id: "VGlja2V0OlRDSy02", number: "TCK-6" }, userErrors: [] } } });
    const progress: number[] = [];
    const photo = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "router.png", { type: "image/png" });
    const result = await uploadMutation(
      OpenTicketMutation,
      { input: { category: "CONNECTIVITY", subject: "Wi-Fi", description: "Drops" } },
      [photo],
      (f) => progress.push(f),
    );
    expect(result.status).toBe(200);
    expect(result.data?.openTicket.ticket?.number).toBe("TCK-6");
    expect(progress).toEqual([0.5, 1]);
    expect(sent).toHaveLength(1);
    const request = sent[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/graphql");
    expect(request.headers["X-CSRF-Token"]).toBe("token-123");
    const operations = JSON.parse(String(request.body.get("operations"))) as {
      query: string;
      variables: { input: { attachments: unknown[] } };
    };
    expect(operations.query).toContain("mutation OpenTicket");
    expect(operations.variables.input.attachments).toEqual([null]);
    expect(JSON.parse(String(request.body.get("map")))).toEqual({ "0": ["variables.input.attachments.0"] });
    expect((request.body.get("0") as File).name).toBe("router.png");
  });

  it("answers a coded error when the server refuses the body", async () => {
    fakeXhr(413, { errors: [{ message: "Too large", extensions: { code: "REQUEST_TOO_LARGE" } }] });
    const result = await uploadMutation(OpenTicketMutation, { input: { category: "OTHER", subject: "s", description: "d" } }, [], () => undefined);
    expect(result.status).toBe(413);
    expect(result.errors?.[0]?.extensions?.code).toBe("REQUEST_TOO_LARGE");
  });
});

describe("ticket history", () => {
  it("reads like sentences", () => {
    expect(eventText({ kind: "ASSIGNED", actorName: "WISPGate", detail: "Network Operations" })).toBe(
      "Assigned to Network Operations",
    );
    expect(eventText({ kind: "STATUS_CHANGED", actorName: "Priya", fromStatus: "OPEN", toStatus: "IN_PROGRESS" })).toBe(
      "Priya: Open → In progress",
    );
    expect(eventText({ kind: "RATED", actorName: "Ana Lima", detail: "5/5" })).toBe("Ana Lima rated the help 5/5");
    expect(isDone("RESOLVED") && isDone("CLOSED") && !isDone("WAITING_ON_CUSTOMER")).toBe(true);
    expect(formatBytes(2048)).toBe("2 KB");
  });
});
