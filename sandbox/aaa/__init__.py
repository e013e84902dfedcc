"""AAA: who may use the network — sub-service status (with its history), bandwidth profile and live session."""
