"""PAC/WPAD files: collect them, run FindProxyForURL in a sandboxed JavaScript engine (dukpy),
and say for every Apple host which route the devices are told to take, and which line decided."""
