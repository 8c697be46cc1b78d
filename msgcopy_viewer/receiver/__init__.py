"""Live sources: the HTTP(S) receiver, the platform-like sender and the folder watcher (Qt-free)."""
