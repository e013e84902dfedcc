import { describe, expect, it, vi } from "vitest";
import { buildSchema, isObjectType } from "graphql";
import { Client, createRequest, gql, makeResult, type Exchange, type Operation } from "@urql/core";
import { filter, fromValue, delay, mergeMap, pipe, subscribe } from "wonka";
import { EMBEDDED_TYPES, KEYS, liveResultsExchange, portalCacheExchange } from "./cache";
import { PaymentSettledSubscription, ServiceStatusChangedSubscription } from "./liveOperations";
import sdl from "../../../schema/schema.graphql?raw";

// The normalized cache is the portal's one source of truth: a live event updates every query that shows the same
// entities, and what the event does not carry is read again.

const usd = (amount: string) => ({ __typename: "Money", amount, currency: "USD" });

const Summary = gql`
  query Summary {
    viewer {
      subscriber {
        id
        financialSummary {
          outstanding {
            amount
            currency
          }
        }
      }
    }
  }
`;

const Services = gql`
  query Services($first: Int!, $after: String) {
    viewer {
      subscriber {
        id
        subServices(first: $first, after: $after) {
          totalCount
          nodes {
            id
            status
            billing {
              outstanding {
                amount
                currency
              }
            }
          }
        }
      }
    }
  }
`;

const Invoices = gql`
  query Invoices($status: InvoiceStatus) {
    viewer {
      subscriber {
        id
        invoices(first: 20, status: $status) {
          totalCount
          nodes {
            id
            status
            balance {
              amount
              currency
            }
          }
        }
      }
    }
  }
`;

/** A back end with one open $29.99 invoice for one suspended service, until `pay()`. */
function backend() {
  let paid = false;
  const requests: string[] = [];
  const owed = () => usd(paid ? "0.00" : "29.99");
  const invoice = () => ({ __typename: "Invoice", id: "SW52b2ljZTpJTlYtMQ==", status: paid ? "PAID" : "OPEN", balance: owed() });
  const answer = (operation: Operation): Record<string, unknown> => {
    const name = operation.query.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value ?? "";
    requests.push(name);
    const subscriber = (fields: Record<string, unknown>) => ({
      __typename: "Query",
      viewer: { __typename: "Viewer", subscriber: { __typename: "Subscriber", id: "U3ViOjE=", ...fields } },
    });
    if (name === "Summary") return subscriber({ financialSummary: { __typename: "FinancialSummary", outstanding: owed() } });
    if (name === "Services") {
      return subscriber({
        subServices: {
          __typename: "SubServiceConnection",
          totalCount: 1,
          nodes: [
            {
              __typename: "SubService",
              id: "U1M6MQ==",
              status: paid ? "ACTIVE" : "SUSPENDED",
              billing: { __typename: "SubServiceBilling", outstanding: owed() },
            },
          ],
        },
      });
    }
    return subscriber({ invoices: { __typename: "InvoiceConnection", totalCount: 1, nodes: [invoice()] } });
  };
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind === "query"),
      mergeMap((operation) => pipe(fromValue(makeResult(operation, { data: answer(operation) })), delay(1))),
    );
  return {
    exchange,
    requests,
    invoice,
    pay() {
      paid = true;
    },
  };
}

function latest<T>(client: Client, query: ReturnType<typeof gql>, variables: Record<string, unknown> = {}) {
  const seen: { data?: T } = {};
  pipe(
    client.query(query, variables, { requestPolicy: "network-only" }),
    subscribe((result) => {
      seen.data = result.data as T;
    }),
  );
  return seen;
}

const settle = () => new Promise((r) => setTimeout(r, 20));
// What the exchanges do after a result or an event is asynchronous: wait for its effect, not for a fixed time (a
// loaded machine may take longer than any fixed wait).
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 5 });

type Data = { viewer: { subscriber: Record<string, never> } };
// The test reads nested fields of its hand-written queries.
const subscriberOf = (seen: { data?: unknown }): any => (seen.data as Data | undefined)?.viewer.subscriber;

describe("the normalized cache", () => {
  it("keys every object type of the schema: by id, or inside its parent when it has none", () => {
    const schema = buildSchema(sdl);
    const roots = new Set(["Query", "Mutation", "Subscription"]);
    const withoutId = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith("__") && !roots.has(t.name) && !("id" in t.getFields()))
      .map((t) => t.name)
      .sort();
    // Wallet has no id but is the session's one wallet (keyed "viewer").
    expect([...EMBEDDED_TYPES, "Wallet"].sort()).toEqual(withoutId);
    for (const name of Object.keys(KEYS)) expect(schema.getType(name), name).toBeTruthy();
  });

  it("a payment settled updates the balance strip, the service card and the invoice row at once", async () => {
    const server = backend();
    const live = liveResultsExchange();
    const client = new Client({ url: "/graphql", exchanges: [portalCacheExchange(), live.exchange, server.exchange] });
    const summary = latest(client, Summary);
    const services = latest(client, Services, { first: 50 });
    const invoices = latest(client, Invoices, { status: "OPEN" });
    await until(() => {
      expect(subscriberOf(summary).financialSummary.outstanding.amount).toBe("29.99");
      expect(subscriberOf(services).subServices.nodes[0].billing.outstanding.amount).toBe("29.99");
      expect(subscriberOf(invoices).invoices.nodes[0].status).toBe("OPEN");
    });

    // The gateway's webhook settles the payment; the socket delivers `paymentSettled`.
    server.pay();
    server.requests.length = 0;
    const event = {
      paymentSettled: {
        __typename: "PaymentSettled",
        kind: "INVOICE",
        amount: usd("29.99"),
        invoice: { ...server.invoice(), number: "INV-1" },
        wallet: null,
        reactivated: [
          { __typename: "SubService", id: "U1M6MQ==", label: "Internet", status: "ACTIVE", statusReason: null, statusSince: null },
        ],
        settledAt: "2026-12-02T10:00:00Z",
      },
    };
    live.push(client.createRequestOperation("subscription", createRequest(PaymentSettledSubscription, {})), event);
    await until(() => {
      expect(subscriberOf(summary).financialSummary.outstanding.amount).toBe("0.00");
      expect(subscriberOf(services).subServices.nodes[0].billing.outstanding.amount).toBe("0.00");
      expect(subscriberOf(services).subServices.nodes[0].status).toBe("ACTIVE");
      // The row is updated in place from the event (no list request), and stays where the reader saw it.
      expect(subscriberOf(invoices).invoices.nodes[0]).toMatchObject({ status: "PAID", balance: { amount: "0.00" } });
      expect([...server.requests].sort()).toEqual(["Services", "Summary"]);
    });
  });

  it("a status change reaches every query showing the service without a request", async () => {
    const server = backend();
    const live = liveResultsExchange();
    const client = new Client({ url: "/graphql", exchanges: [portalCacheExchange(), live.exchange, server.exchange] });
    const services = latest(client, Services, { first: 50 });
    await until(() => expect(subscriberOf(services).subServices.nodes[0].status).toBeTruthy());
    server.requests.length = 0;
    const event = {
      serviceStatusChanged: {
        __typename: "SubService",
        id: "U1M6MQ==",
        label: "Internet",
        status: "RESTRICTED",
        statusReason: "ADMINISTRATIVE",
        statusSince: "2026-12-02T10:00:00Z",
      },
    };
    live.push(client.createRequestOperation("subscription", createRequest(ServiceStatusChangedSubscription, {})), event);
    await until(() => expect(subscriberOf(services).subServices.nodes[0].status).toBe("RESTRICTED"));
    await settle(); // any request the event caused would have been sent by now
    expect(server.requests).toEqual([]);
  });
});
