"""Password resets: the service and its pages."""
