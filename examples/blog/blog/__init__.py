"""The blog example app: users, posts, tags and comments."""
