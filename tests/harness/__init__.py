"""The test harness every test area shares.

- `portal`: `Portal`, the one GraphQL client of the BFF (cookies + CSRF or a bearer token), and
  `start_portal()`, the real app started in-process over a dispatch transport;
- `sandbox`: `SandboxTemplate`, the demo world seeded once per session and copied for every test;
- `transport`: `DispatchTransport`, the BFF's backend clients reaching in-process sandbox systems by host;
- `money`: the payment rig (the sandbox gateway configured for an in-process portal, its webhooks);
- `cluster`: the sandbox and two BFF instances sharing Redis, as real servers on loopback;
- `process`: the product's own commands (`wispgate demo`, `serve`, `sandbox`) as child processes.

The fixtures that hand these to tests live in `tests/conftest.py` (and `tests/bff/conftest.py` for the rig,
`tests/browser/conftest.py` for the demo server).
"""
