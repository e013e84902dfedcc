import { graphql } from "../gql";

// Subscriptions shared by several pages (graphql-transport-ws at /graphql, filtered by the server to what the
// viewer may see). Each event carries the object as it is now, read fresh by the server.

export const ServiceStatusChangedSubscription = graphql(`
  subscription ServiceStatusChanged {
    serviceStatusChanged {
      id
      label
      status
      statusReason
      statusSince
    }
  }
`);

export const PaymentSettledSubscription = graphql(`
  subscription PaymentSettled {
    paymentSettled {
      kind
      amount {
        amount
        currency
      }
      invoice {
        id
        number
        status
        balance {
          amount
          currency
        }
      }
      wallet {
        balance {
          amount
          currency
        }
      }
      reactivated {
        id
        label
        status
        statusReason
        statusSince
      }
      settledAt
    }
  }
`);

export const AccountInvoiceChangedSubscription = graphql(`
  subscription AccountInvoiceChanged {
    invoiceChanged {
      id
      number
      status
      dueOn
      total {
        amount
        currency
      }
      amountPaid {
        amount
        currency
      }
      balance {
        amount
        currency
      }
    }
  }
`);

export const WalletChangedSubscription = graphql(`
  subscription WalletChanged {
    walletChanged {
      balance {
        amount
        currency
      }
    }
  }
`);

export const NotificationReceivedSubscription = graphql(`
  subscription NotificationReceived {
    notificationReceived {
      id
      kind
      title
      body
      read
      createdAt
      link {
        kind
        path
      }
    }
  }
`);
