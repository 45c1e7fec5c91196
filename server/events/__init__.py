"""Push: the hub tells its clients, within seconds, that something they may read has happened.

- `record`: the `events` table, written by the store in the transaction of the write that makes
  the event (so an event exists if and only if its record committed); on PostgreSQL the same
  transaction sends NOTIFY, which PostgreSQL delivers only on commit.
- `broker`: one per hub worker process; wakes that worker's subscribers (LISTEN on PostgreSQL,
  in-process on the embedded SQLite hub).
- `stream`: GET /events, Server-Sent Events; each event is checked against the subscriber's
  access rules when it is delivered, and names only its kind, type, id, consultation and cursor.
"""
