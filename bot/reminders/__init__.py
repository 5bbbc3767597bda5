"""Update reminders: an open incident that has had no update for its severity's interval gets a
reminder under its card, claimed once across replicas through the store.

`schedule` reads REMINDER_MINUTES; `leases` is what the store keeps (and its in-memory form);
`watch` starts and resets each incident's clock; `due` handles one claimed reminder; `loop` is the
background task `serve` starts. The Snooze buttons are in bot/flows/reminders.py.

Nothing is imported here: bot.config reads bot.reminders.schedule without the rest.
"""
