-- V2: indexes for the named questions (vpnsnap query).
-- Why: as-of and diff find, per connection, its latest version observed at or
-- before a time. (connection, observed_at, version) answers that with one
-- seek per connection instead of reading every version; version breaks ties
-- between two runs observed at the same instant.
CREATE INDEX versions_by_connection_time ON versions (connection, observed_at, version);
