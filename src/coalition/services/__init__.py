"""Use cases: one function per action, each one transaction through a unit of work,
with a permission check and an audit record. Read-side queries live beside them."""
