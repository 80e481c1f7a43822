"""The audit trail of administration: who signed in (or failed to), who changed an account, a
token, a contract or who receives alerts. Append-only evidence, read by administrators."""
