"""OSS: the network's view of a sub-service — its CPE devices, daily usage and provisioned add-ons."""
