-- V2: indexes for the named questions (vpnsnap query).
-- Why: without them a question about one connection or a short window reads
-- every version (the issue's targets: tens of milliseconds on a million).

-- as-of and diff find, per connection, its latest version observed at or
-- before a time: one seek per connection. version breaks ties between two
-- runs observed at the same instant.
CREATE INDEX versions_by_connection_time ON versions (connection, observed_at, version);

-- changes, status-changes and the other windows (--since/--until) over the
-- whole estate read only the versions observed in the window.
CREATE INDEX versions_by_time ON versions (observed_at);

-- A connection given by provider id or by its current name is found with
-- one seek (a part of a name still reads every connection).
CREATE INDEX connections_by_connection_id ON connections (connection_id);
CREATE INDEX versions_latest_by_name ON versions (name) WHERE valid_to IS NULL;
