package postgres

import "context"

// Channel is the channel the store notifies, as its server names it.
func (s *Store) Channel(ctx context.Context) (string, error) {
	var c *string
	if err := s.queryRow(ctx, "SELECT "+channel).Scan(&c); err != nil {
		return "", s.errorf("%w", err)
	}
	if c == nil {
		return "", s.errorf("the search path names no schema that exists")
	}
	return *c, nil
}

// ChannelQuery asks the server the channel of the current schema.
const ChannelQuery = "SELECT " + channel
