"""A health body's own pages: its responders' inbox of what it is asked."""
