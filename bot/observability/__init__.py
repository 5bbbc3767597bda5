"""Logs, metrics and health: what operators need to run the bot."""
