"""Mail to passers: the outbox, its messages, and the sender that delivers them."""
