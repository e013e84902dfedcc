import { graphql } from "../gql";

// The Support section's operations. Opening a ticket and replying with files go as GraphQL multipart requests
// (`upload.ts`); everything else through urql.

export const TicketListQuery = graphql(`
  query SupportTickets($active: Boolean, $subServiceId: ID) {
    viewer {
      subscriber {
        id
        subServices(first: 100) {
          nodes {
            id
            label
          }
        }
        tickets(first: 50, active: $active, subServiceId: $subServiceId) {
          totalCount
          nodes {
            id
            number
            subject
            category
            status
            updatedAt
            subService {
              id
              label
            }
            sla {
              resolutionDueAt
              firstResponseMet
              firstResponseBreached
              resolutionBreached
              elapsedPercent
            }
          }
        }
      }
    }
  }
`);

export const TicketFieldsFragment = graphql(`
  fragment TicketFields on Ticket {
    id
    number
    subject
    category
    priority
    status
    queue
    createdAt
    updatedAt
    canRate
    rating {
      score
      comment
    }
    subService {
      id
      label
    }
    sla {
      firstResponseDueAt
      resolutionDueAt
      firstRespondedAt
      resolvedAt
      firstResponseMet
      resolutionMet
      firstResponseBreached
      resolutionBreached
      elapsedPercent
    }
    messages {
      id
      fromSupport
      authorName
      body
      createdAt
      attachments {
        id
        filename
        contentType
        sizeBytes
        isImage
        url
      }
    }
    events {
      id
      kind
      actor
      actorName
      fromStatus
      toStatus
      detail
      createdAt
    }
  }
`);

export const TicketQuery = graphql(`
  query SupportTicket($number: String!) {
    viewer {
      subscriber {
        id
        ticket(number: $number) {
          ...TicketFields
        }
      }
    }
  }
`);

export const NewTicketQuery = graphql(`
  query NewTicketOptions {
    ticketCategories {
      category
      label
      queue
      firstResponseMinutes
      resolutionMinutes
    }
    viewer {
      subscriber {
        id
        subServices(first: 100) {
          nodes {
            id
            label
          }
        }
      }
    }
  }
`);

export const OpenTicketMutation = graphql(`
  mutation OpenTicket($input: OpenTicketInput!) {
    openTicket(input: $input) {
      ticket {
        id
        number
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ReplyToTicketMutation = graphql(`
  mutation ReplyToTicket($input: ReplyToTicketInput!) {
    replyToTicket(input: $input) {
      ticket {
        ...TicketFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const CloseTicketMutation = graphql(`
  mutation CloseTicket($input: CloseTicketInput!) {
    closeTicket(input: $input) {
      ticket {
        ...TicketFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ReopenTicketMutation = graphql(`
  mutation ReopenTicket($input: ReopenTicketInput!) {
    reopenTicket(input: $input) {
      ticket {
        ...TicketFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const RateTicketMutation = graphql(`
  mutation RateTicket($input: RateTicketInput!) {
    rateTicket(input: $input) {
      ticket {
        ...TicketFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const TicketChangedSubscription = graphql(`
  subscription TicketChanged {
    ticketChanged {
      ...TicketFields
    }
  }
`);
