import { graphql } from "../gql";

// Wi-Fi and router (a sub-service's manageable devices, changes sent as tasks) and network incidents.

export const DeviceTaskFields = graphql(`
  fragment DeviceTaskFields on DeviceTask {
    reference
    action
    status
    failure
    createdAt
    updatedAt
  }
`);

export const WifiRouterQuery = graphql(`
  query WifiRouter($id: ID!) {
    node(id: $id) {
      __typename
      ... on SubService {
        id
        devices {
          id
          model
          online
          manageable
          wifiNetworks {
            index
            ssid
            band
            channel
            enabled
            security
            supportedSecurity
          }
          connectedHosts {
            name
            mac
            ipAddress
            active
            connection
            wifiNetworkIndex
          }
          recentTasks {
            ...DeviceTaskFields
          }
        }
      }
    }
  }
`);

export const SetWifiSettingsMutation = graphql(`
  mutation SetWifiSettings($input: SetWifiSettingsInput!) {
    setWifiSettings(input: $input) {
      task {
        ...DeviceTaskFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RebootDeviceMutation = graphql(`
  mutation RebootDevice($input: RebootDeviceInput!) {
    rebootDevice(input: $input) {
      task {
        ...DeviceTaskFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const DeviceTaskChangedSubscription = graphql(`
  subscription DeviceTaskChanged {
    deviceTaskChanged {
      ...DeviceTaskFields
      device {
        id
      }
    }
  }
`);

export const IncidentFields = graphql(`
  fragment IncidentFields on ServiceIncident {
    reference
    kind
    status
    title
    message
    planned
    startsAt
    estimatedEnd
    affectedSubServices {
      id
      label
    }
  }
`);

export const ServiceIncidentsQuery = graphql(`
  query ServiceIncidents {
    viewer {
      subscriber {
        id
        serviceIncidents {
          ...IncidentFields
        }
      }
    }
  }
`);

export const ServiceIncidentChangedSubscription = graphql(`
  subscription ServiceIncidentChanged {
    serviceIncidentChanged {
      ...IncidentFields
    }
  }
`);
