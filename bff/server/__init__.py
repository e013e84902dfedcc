"""The running service: the composition root (`app`), the GraphQL view, the web and health routes and the
CLI. The top layer: it may import everything, nothing imports it."""
