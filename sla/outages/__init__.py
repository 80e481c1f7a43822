"""Service outages recorded by the DSI, the ground for availability figures."""
