import { graphql } from "../gql";

// Session operations. Page queries live next to the page that uses them.

export const ViewerShellFragment = graphql(`
  fragment ViewerShell on Viewer {
    role
    locale
    canManageBilling
    canManageTeam
    canManageDevices
    canSeeWallet
    user {
      id
      name
      email
      role
    }
    subscriber {
      id
      name
      kind
      accountNumber
    }
  }
`);

export const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      ...ViewerShell
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(input: { email: $email, password: $password, tokenDelivery: COOKIE }) {
      viewer {
        role
      }
      secondFactor {
        challenge
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const VerifySecondFactorDocument = graphql(`
  mutation VerifySecondFactor($challenge: String!, $code: String, $recoveryCode: String) {
    verifySecondFactor(input: { challenge: $challenge, code: $code, recoveryCode: $recoveryCode, tokenDelivery: COOKIE }) {
      viewer {
        role
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const RefreshSessionDocument = graphql(`
  mutation RefreshSession {
    refreshSession(input: {}) {
      viewer {
        role
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout {
    logout {
      ok
    }
  }
`);
