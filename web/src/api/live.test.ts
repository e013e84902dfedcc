import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FormattedExecutionResult, Sink } from "graphql-ws";
import { LiveConnection, type LiveTransport } from "./live";
import { NotificationReceivedSubscription, WalletChangedSubscription } from "./liveOperations";

// LiveConnection keeps subscriptions alive across failures and tells pages to re-query after any gap.

const Doc = WalletChangedSubscription;

type AnySink = Sink<FormattedExecutionResult<Record<string, unknown>, unknown>>;

function fakeTransport(refreshOk = true) {
  const sinks: AnySink[] = [];
  const transport: LiveTransport & { sinks: AnySink[]; restarts: number; refreshes: number; closed: number } = {
    sinks,
    restarts: 0,
    refreshes: 0,
    closed: 0,
    subscribe(_request, sink) {
      sinks.push(sink);
      return () => {
        transport.closed += 1;
      };
    },
    restart() {
      transport.restarts += 1;
    },
    async refresh() {
      transport.refreshes += 1;
      return refreshOk;
    },
  };
  return transport;
}

const event = { data: { walletChanged: { balance: { amount: "10.00", currency: "USD" } } } };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LiveConnection", () => {
  it("delivers events and re-subscribes after the server ends the stream, then asks pages to resync", async () => {
    const live = new LiveConnection();
    const transport = fakeTransport();
    live.attach(transport);
    const got: unknown[] = [];
    let resyncs = 0;
    live.onResync(() => (resyncs += 1));
    const stop = live.subscribe(Doc, {}, { next: (d) => got.push(d) });
    transport.sinks[0]?.next(event);
    expect(got).toEqual([event.data]);

    transport.sinks[0]?.error(new Error("socket gone"));
    await vi.advanceTimersByTimeAsync(2500);
    expect(transport.sinks).toHaveLength(2);
    expect(resyncs).toBe(1);
    transport.sinks[1]?.next(event);
    expect(got).toHaveLength(2);

    stop();
    transport.sinks[1]?.complete();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(transport.sinks).toHaveLength(2); // stopped: no more re-subscribing
  });

  it("refreshes the session and restarts the socket once when several subscriptions hit UNAUTHENTICATED", async () => {
    const live = new LiveConnection();
    const transport = fakeTransport();
    live.attach(transport);
    live.subscribe(Doc, {}, { next: () => undefined });
    live.subscribe(NotificationReceivedSubscription, {}, { next: () => undefined });
    const unauthenticated = [{ message: "log in", extensions: { code: "UNAUTHENTICATED" } }];
    transport.sinks[0]?.error(unauthenticated);
    transport.sinks[1]?.error(unauthenticated);
    await vi.advanceTimersByTimeAsync(2500);
    expect(transport.refreshes).toBe(1);
    expect(transport.restarts).toBe(1);
    expect(transport.sinks).toHaveLength(4);
  });

  it("gives up on FORBIDDEN and keeps one bad event from ending the stream", async () => {
    const live = new LiveConnection();
    const transport = fakeTransport();
    live.attach(transport);
    const got: unknown[] = [];
    live.subscribe(Doc, {}, { next: (d) => got.push(d) });
    transport.sinks[0]?.next({ data: null, errors: [{ message: "billing down", extensions: { code: "BACKEND_UNAVAILABLE" } }] });
    transport.sinks[0]?.next(event);
    expect(got).toHaveLength(1);
    transport.sinks[0]?.error([{ message: "no", extensions: { code: "FORBIDDEN" } }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(transport.sinks).toHaveLength(1);
  });

  it("shares one server subscription among the subscribers of the same document, and the cache sees each event once", () => {
    const live = new LiveConnection();
    const transport = fakeTransport();
    live.attach(transport);
    const cached: unknown[] = [];
    live.onEvent((_document, _variables, data) => cached.push(data));
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = live.subscribe(Doc, {}, { next: (d) => a.push(d) });
    const stopB = live.subscribe(Doc, {}, { next: (d) => b.push(d) });
    expect(transport.sinks).toHaveLength(1);
    transport.sinks[0]?.next(event);
    expect([a.length, b.length, cached.length]).toEqual([1, 1, 1]);
    stopA();
    expect(transport.closed).toBe(0); // B still listens
    transport.sinks[0]?.next(event);
    expect([a.length, b.length]).toEqual([1, 2]);
    stopB();
    expect(transport.closed).toBe(1);
    live.subscribe(Doc, {}, { next: () => undefined });
    expect(transport.sinks).toHaveLength(2); // a new subscription after the last one ended
  });

  it("reports the socket state and resyncs after a reconnect", () => {
    const live = new LiveConnection();
    live.attach(fakeTransport());
    const seen: string[] = [];
    live.onStatus(() => seen.push(live.status));
    let resyncs = 0;
    live.onResync(() => (resyncs += 1));
    live.subscribe(Doc, {}, { next: () => undefined });
    live.setStatus("connecting");
    live.connected(false);
    live.closed();
    live.setStatus("reconnecting");
    live.connected(true);
    expect(seen).toEqual(["connecting", "live", "reconnecting", "live"]);
    expect(resyncs).toBe(1);
  });
});
