"""Nothing here is registered in the Django admin: every model of the network map holds child
data (names of the people around a child and their contact details). docs/security.md 7."""
