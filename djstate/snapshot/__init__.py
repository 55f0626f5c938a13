"""What djstate knows about a project, for people and assistants: relation names, per-app
snapshots (``djstate context``) and the managed blocks they are written into."""
