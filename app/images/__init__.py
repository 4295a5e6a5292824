"""Small processed images kept in the database: profile pictures and space header images."""
