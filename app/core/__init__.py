"""What every domain and both front doors (pages and API) share: the rules for raw input."""
