"""Operations the tests run, shaped like the web app's."""

from __future__ import annotations

MONEY = "{ amount currency }"

SUBSERVICE_FIELDS = f"""
  id label location kind status statusReason statusSince
  profile {{ planName downMbps upMbps }}
  usage {{ from to downloadBytes uploadBytes days {{ date downloadBytes uploadBytes }} }}
  liveSession {{ online ipAddress nas since bytesIn bytesOut }}
  devices {{ id kind model serial mac firmware online lastSeen signalDbm }}
  addOns {{ name monthlyPrice {MONEY} activeSince }}
  installments {{
    description total {MONEY} paid {MONEY} remaining {MONEY} amountEach {MONEY}
    installmentsTotal installmentsPaid nextDueOn progress
  }}
  expiresAt
  billing {{
    outstanding {MONEY} monthlyCharge {MONEY} prepaid
    cycle {{ billingDay periodStart periodEnd nextInvoiceOn }}
    openInvoices {{ id number status dueOn balance {MONEY} }}
  }}
"""

INVOICE_FIELDS = f"""
  id number status issuedOn dueOn periodStart periodEnd
  total {MONEY} amountPaid {MONEY} balance {MONEY} pdfUrl
  subService {{ id label }}
  lines {{ description amount {MONEY} subService {{ id label }} }}
"""

DASHBOARD = f"""
query Dashboard {{
  viewer {{
    role canManageBilling
    user {{ id email name role }}
    subscriber {{
      id accountNumber name kind email phone address
      financialSummary {{
        outstanding {MONEY} overdue {MONEY} nextDueOn walletBalance {MONEY} monthlyCharges {MONEY}
        breakdown {{
          subService {{ id label status }}
          outstanding {MONEY} monthlyCharge {MONEY} openInvoiceCount
        }}
      }}
      subServices(first: 50) {{
        totalCount
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
        edges {{ cursor node {{ {SUBSERVICE_FIELDS} }} }}
      }}
      invoices(first: 20) {{ totalCount nodes {{ {INVOICE_FIELDS} }} }}
      consolidatedStatement {{ url filename expiresAt }}
      wallet {{ balance {MONEY} transactions(first: 5) {{ totalCount nodes {{ id kind amount {MONEY} description createdAt }} }} }}
      tickets(first: 10) {{
        totalCount
        nodes {{
          id number subject category priority status queue createdAt updatedAt
          subService {{ id label }}
          sla {{ firstResponseDueAt resolutionDueAt firstRespondedAt resolvedAt firstResponseBreached resolutionBreached progress }}
          messages {{ id fromSupport authorName body createdAt }}
          attachments {{ id filename contentType sizeBytes url }}
        }}
      }}
      notifications(first: 5) {{ totalCount unreadCount nodes {{ id kind title body read createdAt subService {{ id }} }} }}
    }}
  }}
}}
"""

SUBSERVICE_PAGE = """
query Page($first: Int, $after: String, $kind: ServiceKind, $status: ServiceStatus) {
  viewer { subscriber { subServices(first: $first, after: $after, kind: $kind, status: $status) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id label status } }
    nodes { id }
  } } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on SubService { label status devices { id } }
    ... on Invoice { number subService { label } }
    ... on Subscriber { name }
    ... on Device { serial }
    ... on Ticket { number }
  }
}
"""

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"

# ------------------------------------------------------------------------------ money and notifications

PAY_INVOICE = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    invoice { id number status balance { amount currency } }
    checkoutUrl
    userErrors { field message code }
  }
}
"""

TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { wallet { balance { amount } } checkoutUrl userErrors { field message code } }
}
"""

APPLY_WALLET = """
mutation($input: ApplyWalletToInvoiceInput!) {
  applyWalletToInvoice(input: $input) {
    invoice { id status amountPaid { amount } balance { amount } }
    wallet { balance { amount currency } }
    userErrors { field message code }
  }
}
"""

REDEEM = """
mutation($code: String!) {
  redeemGiftCard(input: {code: $code}) {
    wallet { balance { amount } }
    credited { amount currency }
    userErrors { field message code }
  }
}
"""

RENEW = """
mutation($input: RenewServiceInput!) {
  renewService(input: $input) {
    subService { id expiresAt renewable renewalPrice { amount currency } }
    wallet { balance { amount } }
    userErrors { field message code }
  }
}
"""

ADD_CARD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { checkoutUrl userErrors { field message code } }
}
"""

CARDS = """
query {
  viewer { subscriber {
    paymentMethods { id brand last4 expMonth expYear isDefault expired }
    autopay { enabled paymentMethod { id last4 } }
  } }
}
"""

SET_DEFAULT = """
mutation($id: ID!) {
  setDefaultPaymentMethod(input: {paymentMethodId: $id}) {
    paymentMethod { id isDefault }
    subscriber { paymentMethods { id isDefault } }
    userErrors { field message code }
  }
}
"""

SET_AUTOPAY = """
mutation($enabled: Boolean!) {
  setAutopay(input: {enabled: $enabled}) {
    autopay { enabled paymentMethod { id } }
    userErrors { field message code }
  }
}
"""

REMOVE_CARD = """
mutation($id: ID!) {
  removePaymentMethod(input: {paymentMethodId: $id}) {
    removedPaymentMethodId
    subscriber { paymentMethods { id } autopay { enabled } }
    userErrors { field message code }
  }
}
"""

INVOICES = """
query { viewer { subscriber {
  invoices(first: 50) { nodes { id number status total { amount } balance { amount } } }
  wallet { balance { amount } }
} } }
"""

WALLET = "query { viewer { subscriber { wallet { balance { amount currency } } } } }"

SERVICE = """
query($id: ID!) {
  node(id: $id) { ... on SubService { id expiresAt renewable renewalPrice { amount currency } } }
}
"""

NOTIFICATIONS = """
query { viewer { subscriber { notifications(first: 50) { unreadCount nodes { id read } } } } }
"""

MARK_READ = """
mutation($ids: [ID!]!) {
  markNotificationsRead(input: {ids: $ids}) { unreadCount userErrors { code } }
}
"""

PAY_INVOICES = """
mutation($input: PayInvoicesInput!) {
  payInvoices(input: $input) {
    invoices { id number status balance { amount currency } }
    checkoutUrl
    userErrors { field message code }
  }
}
"""
