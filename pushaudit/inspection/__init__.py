"""TLS inspection and proxy authentication on vendor firewalls, decided per client network,
Apple host name and port: is the traffic decrypted, is a user login demanded, and by which rule."""
